// An HTTP/1.1 server on Boost.Beast (issue 9, item 1): connections are
// served by an event loop on a few I/O threads, so ten thousand idle
// keep-alive connections cost memory for their buffers, not threads.
//
// Flow: an I/O thread reads a request (at most max_body_bytes of body, else
// 413 and the connection closes) and hands it to the handler, which must
// not block: it answers through its Responder at once or later, from any
// thread (the application runs blocking work on a pool, and the collector
// answers from the write-ahead log's thread after the fsync). The I/O
// thread writes the answer and reads the next request.
//
// Thread safety: Start, Stop and the destructor from one thread; the
// handler is called from the I/O threads, many at once.
#pragma once

#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "util/status.h"

namespace ws::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port)
  int io_threads = 2;
  uint64_t max_body_bytes = uint64_t{16} << 20;
  std::chrono::seconds idle_timeout{75};   // a keep-alive connection silent this long is closed
  std::chrono::seconds retry_after{1};     // in 503 answers
  std::chrono::seconds drain_timeout{30};  // Stop waits this long for requests in flight
};

// What the server answers by itself (413, a malformed request): the
// application renders the body, so that every error has one format.
using ErrorRenderer = std::function<Response(http::status status, const std::string& message)>;
// Sends the answer to a request; call it exactly once, from any thread.
using Responder = std::function<void(Response response)>;
// Takes a request on an I/O thread without blocking. `peer` is the client's
// address (for logs and limits).
using Handler =
    std::function<void(std::shared_ptr<Request> request, const std::string& peer, Responder respond)>;

class HttpServer {
 public:
  // Binds and starts serving. Failure: the address cannot be bound (a
  // sentence naming it, e.g. "127.0.0.1:8080 is in use").
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, Handler handler,
                                                   ErrorRenderer errors);
  // Stop()s if needed.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the chosen one when options.port was 0).
  uint16_t port() const;
  // Graceful shutdown: stops accepting, closes idle connections, lets the
  // requests in flight finish and be answered (up to drain_timeout), then
  // stops the threads. Idempotent.
  void Stop();

  // Live figures for /metrics.
  struct Figures {
    uint64_t connections_open = 0;
    uint64_t connections_accepted = 0;
    uint64_t queue_depth = 0;
    uint64_t rejected_overload = 0;   // 503 for a full queue
    uint64_t rejected_too_large = 0;  // 413 for a body over the limit
    int io_threads = 0;
    int workers = 0;
  };
  Figures figures() const;

  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ws::server
