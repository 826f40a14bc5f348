#include "store/compress.h"

#include <zstd.h>

#include <memory>

namespace ws::store {
namespace {

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> ctx(ZSTD_createCCtx());
  return ctx.get();
}

ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

}  // namespace

Status ZstdCompress(std::string_view raw, std::string* out) {
  size_t bound = ZSTD_compressBound(raw.size());
  out->resize(bound);
  size_t n = ZSTD_compressCCtx(ThreadCCtx(), out->data(), bound, raw.data(), raw.size(), kZstdLevel);
  if (ZSTD_isError(n))
    return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  out->resize(n);
  return Status::Ok();
}

Status ZstdDecompress(std::string_view frame, size_t raw_length, std::string* out) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size != raw_length) return Status::Corruption("compressed block has a bad frame header");
  out->resize(raw_length);
  size_t n = ZSTD_decompressDCtx(ThreadDCtx(), out->data(), out->size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != raw_length) return Status::Corruption("compressed block does not decompress");
  return Status::Ok();
}

}  // namespace ws::store
