// The client side of a PostgreSQL connection: a TCP socket that may be upgraded to TLS after an
// SSLRequest ("SSL Session Encryption"). One type for both so the session code reads the same.
#pragma once

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include <optional>
#include <vector>

namespace jitgate::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

class ClientStream {
public:
    explicit ClientStream(tcp::socket socket) : plain_(std::move(socket)) {}

    // Performs the server side of a TLS handshake; the stream is encrypted from then on.
    [[nodiscard]] asio::awaitable<error_code> start_tls(asio::ssl::context& context);
    [[nodiscard]] asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer, error_code& ec);
    [[nodiscard]] asio::awaitable<void> write(const std::vector<asio::const_buffer>& buffers, error_code& ec);
    [[nodiscard]] asio::awaitable<void> write(asio::const_buffer buffer, error_code& ec);

    [[nodiscard]] bool encrypted() const noexcept { return tls_.has_value(); }
    // The socket itself while the stream is plain: the relay's hot loops await it directly and skip
    // the extra coroutine frame of read_some/write.
    [[nodiscard]] tcp::socket* plain() noexcept { return tls_ ? nullptr : &*plain_; }
    [[nodiscard]] tcp::socket& socket() noexcept { return tls_ ? tls_->next_layer() : *plain_; }
    // Makes a pending read or write finish with operation_aborted.
    void cancel() noexcept;
    void close() noexcept;

private:
    std::optional<tcp::socket> plain_;
    std::optional<asio::ssl::stream<tcp::socket>> tls_;
};

}  // namespace jitgate::proxy
