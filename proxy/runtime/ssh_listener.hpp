// The SSH listener (DESIGN §6): Asio accepts on listen.ssh and hands each socket to a thread of its own,
// where an SshSession runs the libssh connection (libssh sessions must stay on one thread). Keeps the
// live connections so shutdown and ended grants can close them, and joins their threads.
#pragma once

#include "proxy/runtime/client_stream.hpp"
#include "proxy/runtime/server_context.hpp"
#include "proxy/runtime/session_registry.hpp"
#include "protocols/ssh/front.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace jitgate::proxy {

class SshSession;

class SshListener {
public:
    // `admit` is asked before a connection starts (false: refuse, e.g. limits.max_connections) and
    // counts it; `ended` is called from the connection's thread when it is over.
    SshListener(std::shared_ptr<ServerContext> context, std::shared_ptr<SessionRegistry> registry,
                asio::io_context& io, std::function<bool()> admit,
                std::function<void()> ended);
    ~SshListener();

    // Loads (or creates) the host key and listens; false with `error` when it cannot.
    [[nodiscard]] bool start(const config::Endpoint& listen, std::string& error);
    void stop_accepting();
    // Ends every live connection, telling the engineers `message`. Thread-safe.
    void close_all(const std::string& message);
    // Waits for every connection's thread.
    void join();
    [[nodiscard]] std::vector<std::shared_ptr<SshSession>> all() const;

private:
    [[nodiscard]] asio::awaitable<void> accept_loop();
    void launch(int fd, std::string client_address);
    void reap();

    struct Live {
        std::shared_ptr<SshSession> session;
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::shared_ptr<ServerContext> context_;
    std::shared_ptr<SessionRegistry> registry_;  // every live session is in it while it runs
    asio::io_context& io_;
    std::function<bool()> admit_;
    std::function<void()> ended_;
    std::unique_ptr<ssh::Front> front_;
    std::unique_ptr<tcp::acceptor> acceptor_;
    mutable std::mutex mutex_;
    std::list<Live> live_;
    std::atomic<std::uint64_t> next_id_{1};
    std::atomic<bool> stopping_{false};
};

}  // namespace jitgate::proxy
