#include "server/http_server.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace ws::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// How long a connection closed after a 413 keeps reading (and discarding)
// what the client still sends, so that the client reads the answer instead
// of a connection reset.
constexpr std::chrono::seconds kLingerAfterError{2};
constexpr size_t kLingerBufferBytes = 64 * 1024;
// How long to wait before accepting again after accept failed (out of file
// descriptors, most often).
constexpr std::chrono::milliseconds kAcceptRetry{50};

}  // namespace

class Connection;

struct HttpServer::Impl {
  HttpServerOptions options;
  Handler handler;
  ErrorRenderer errors;
  asio::io_context ioc;
  // The acceptor and its retry timer share a strand: Stop's close and the
  // accept handlers never run at once.
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  asio::steady_timer accept_retry{acceptor.get_executor()};
  std::vector<std::thread> io_threads;
  std::atomic<bool> stopping{false};
  bool stopped = false;  // Stop() ran (Start/Stop thread only)

  std::mutex conns_mu;  // guards conns
  std::set<std::shared_ptr<Connection>> conns;

  std::mutex drain_mu;  // with drain_cv: Stop waits for in_flight to reach 0
  std::condition_variable drain_cv;
  std::atomic<uint64_t> in_flight{0};  // requests whose header was read and that are not answered yet
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> too_large{0};

  void Accept();
  void Finished() {
    if (in_flight.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> l(drain_mu);
      drain_cv.notify_all();
    }
  }
};

// One client connection. Its handlers run on its strand; a worker hands the
// answer back through the strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, HttpServer::Impl* server) : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = fmt::format("{}:{}", ep.address().to_string(), ep.port());
  }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Closes the connection if it waits for a request; one that is busy closes
  // after its answer (Stop sets `stopping` first).
  void CloseIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->reading_) self->Close();
    });
  }

 private:
  void ReadHeader() {
    if (server_->stopping) return Close();
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    stream_.expires_after(server_->options.idle_timeout);
    reading_ = true;
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Connection::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    reading_ = false;
    Begin();  // from here on a shutdown waits for this request
    const auto& h = parser_->get();
    if (auto len = parser_->content_length(); len && *len > server_->options.max_body_bytes) {
      return TooLarge();
    }
    if (beast::iequals(h[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, h.version());
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, size_t) {
        if (wec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    reading_ = false;
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Connection::OnRead, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    reading_ = false;
    if (ec == http::error::body_limit) return TooLarge();
    if (ec == http::error::header_limit) {
      return Answer(server_->errors(http::status::request_header_fields_too_large,
                                    "the request's header is larger than the server accepts"),
                    /*close=*/true);
    }
    if (&ec.category() == &make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return Answer(server_->errors(http::status::bad_request,
                                    fmt::format("the request is not valid HTTP/1.1: {}", ec.message())),
                    /*close=*/true);
    }
    Close();  // end of stream, timeout, reset
  }

  void TooLarge() {
    ++server_->too_large;
    Answer(server_->errors(
               http::status::payload_too_large,
               fmt::format("the request body is larger than the limit of {} bytes (server.max_body_bytes)",
                           server_->options.max_body_bytes)),
           /*close=*/true);
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    stream_.expires_never();
    auto req = std::make_shared<Request>(parser_->release());
    keep_alive_ = req->keep_alive();
    head_ = req->method() == http::verb::head;
    Begin();
    auto self = shared_from_this();
    Responder respond = [self](Response res) {
      auto shared = std::make_shared<Response>(std::move(res));
      asio::post(self->stream_.get_executor(), [self, shared] { self->Write(shared, false); });
    };
    try {
      server_->handler(std::move(req), peer_, std::move(respond));
    } catch (const std::exception& e) {
      Write(
          std::make_shared<Response>(server_->errors(
              http::status::internal_server_error, fmt::format("the server failed to answer: {}", e.what()))),
          true);
    }
  }

  // An answer the connection makes by itself (an error in the request).
  void Answer(Response res, bool close) {
    Begin();
    Write(std::make_shared<Response>(std::move(res)), close);
  }

  // The request is counted in in_flight (once) until End().
  void Begin() {
    if (active_) return;
    active_ = true;
    ++server_->in_flight;
  }
  void End() {
    if (!active_) return;
    active_ = false;
    server_->Finished();
  }

  void Write(std::shared_ptr<Response> res, bool close) {
    const bool keep = !close && keep_alive_ && !server_->stopping;
    res->keep_alive(keep);
    if (head_) {
      // HEAD: the GET answer's header, no body (its length as Content-Length).
      const size_t n = res->body().size();
      res->body().clear();
      res->content_length(n);
    } else {
      res->prepare_payload();
    }
    stream_.expires_after(server_->options.idle_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep, close](beast::error_code ec, size_t) {
                        self->End();
                        if (ec) return self->Close();
                        if (close) return self->Linger();
                        if (!keep) return self->Close();
                        self->ReadHeader();
                      });
  }

  // After an error answer: stop sending, discard what still arrives for at
  // most kLingerAfterError, then close.
  void Linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    linger_buf_.resize(kLingerBufferBytes);
    stream_.expires_after(kLingerAfterError);  // once: a trickling client cannot extend it
    LingerRead();
  }
  void LingerRead() {
    stream_.async_read_some(asio::buffer(linger_buf_),
                            [self = shared_from_this()](beast::error_code rec, size_t) {
                              if (rec) return self->Close();
                              self->LingerRead();
                            });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    reading_ = false;
    End();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    std::lock_guard<std::mutex> l(server_->conns_mu);
    server_->conns.erase(shared_from_this());
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string peer_;
  std::vector<char> linger_buf_;
  bool keep_alive_ = true;
  bool head_ = false;     // the request being answered is a HEAD
  bool active_ = false;   // a request is counted in in_flight (Begin/End)
  bool reading_ = false;  // waiting for a request's header (idle)
  bool closed_ = false;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      // E.g. EMFILE: try again shortly rather than spin.
      if (!stopping && acceptor.is_open()) {
        accept_retry.expires_after(kAcceptRetry);
        accept_retry.async_wait([this](beast::error_code tec) {
          if (!tec && !stopping) Accept();
        });
      }
      return;
    }
    ++accepted;
    auto c = std::make_shared<Connection>(std::move(socket), this);
    {
      std::lock_guard<std::mutex> l(conns_mu);
      conns.insert(c);
    }
    c->Start();
    if (!stopping) Accept();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options, Handler handler,
                                                      ErrorRenderer errors) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->handler = std::move(handler);
  impl->errors = std::move(errors);
  const HttpServerOptions& o = impl->options;
  beast::error_code ec;
  const auto address = asio::ip::make_address(o.host, ec);
  if (ec) return Status::InvalidArgument(fmt::format("'{}' is not an IP address to listen on", o.host));
  const tcp::endpoint ep(address, o.port);
  const std::string where = fmt::format("{}:{}", o.host, o.port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (ec) return Status::IOError(fmt::format("cannot listen on {}: {}", where, ec.message()));
  impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError(fmt::format("cannot listen on {}: {}", where, ec.message()));
  impl->Accept();
  for (int i = 0; i < o.io_threads; ++i) impl->io_threads.emplace_back([p = impl.get()] { p->ioc.run(); });
  return std::make_unique<HttpServer>(std::move(impl));
}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  s.stopping = true;
  asio::post(s.acceptor.get_executor(), [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
    s.accept_retry.cancel();
  });
  {
    std::lock_guard<std::mutex> l(s.conns_mu);
    for (const auto& c : s.conns) c->CloseIfIdle();
  }
  {
    std::unique_lock<std::mutex> l(s.drain_mu);
    s.drain_cv.wait_for(l, s.options.drain_timeout, [&] { return s.in_flight.load() == 0; });
  }
  s.ioc.stop();
  for (auto& t : s.io_threads)
    if (t.joinable()) t.join();
  s.io_threads.clear();
  std::lock_guard<std::mutex> l(s.conns_mu);
  s.conns.clear();
}

HttpServer::Figures HttpServer::figures() const {
  Figures f;
  {
    std::lock_guard<std::mutex> l(impl_->conns_mu);
    f.connections_open = impl_->conns.size();
  }
  f.connections_accepted = impl_->accepted;
  f.rejected_too_large = impl_->too_large;
  f.io_threads = impl_->options.io_threads;
  return f;
}

}  // namespace ws::server
