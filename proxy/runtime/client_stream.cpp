// Plain or TLS reads and writes on the client's connection.
#include "proxy/runtime/client_stream.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace jitgate::proxy {

asio::awaitable<error_code> ClientStream::start_tls(asio::ssl::context& context) {
    tls_.emplace(std::move(*plain_), context);
    plain_.reset();
    error_code ec;
    co_await tls_->async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
}

asio::awaitable<std::size_t> ClientStream::read_some(asio::mutable_buffer buffer, error_code& ec) {
    if (tls_) co_return co_await tls_->async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
    co_return co_await plain_->async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> ClientStream::write(const std::vector<asio::const_buffer>& buffers, error_code& ec) {
    if (tls_) co_await asio::async_write(*tls_, buffers, asio::redirect_error(asio::use_awaitable, ec));
    else co_await asio::async_write(*plain_, buffers, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> ClientStream::write(asio::const_buffer buffer, error_code& ec) {
    if (tls_) co_await asio::async_write(*tls_, buffer, asio::redirect_error(asio::use_awaitable, ec));
    else co_await asio::async_write(*plain_, buffer, asio::redirect_error(asio::use_awaitable, ec));
}

void ClientStream::cancel() noexcept {
    error_code ignored;
    socket().cancel(ignored);
}

void ClientStream::close() noexcept {
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
}

}  // namespace jitgate::proxy
