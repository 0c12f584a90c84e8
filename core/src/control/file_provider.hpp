// The built-in file provider: publishes the [http] tables of one TOML file, re-reading it
// when it changes on disk (inotify on its folder, so editors that replace the file are
// seen) and on SIGHUP. It offers the provider table of abi.h (ops()), as plugin providers
// do, so that the provider host runs every provider alike; unlike a plugin it owns no
// thread: it reads and watches on the control thread's io_context.
#pragma once

#include <array>
#include <filesystem>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include "config/static_config.hpp"
#include "plugin/host_api.hpp"

namespace sluice::control {

struct file_source {
    std::filesystem::path file;
    bool shared_file = false;  // the static configuration file itself: only its [http] tables
    bool watch = true;
};

// Where the file provider of `cfg` reads: its own file, or the static file's [http]
// tables; nothing when there is no file provider.
std::optional<file_source> file_provider_source(const config::static_config& cfg);

class file_provider final {
public:
    // Created with new and destroyed through ops() like a plugin object (plugin::provider_object).
    file_provider(boost::asio::io_context& control, file_source source);
    ~file_provider();

    // abi.h's provider table over this class (its create is unused: the host makes it).
    static const sluice_provider_ops& ops() noexcept;

    // Reads the file at once, then watches it when asked to. Never fails: a file that
    // cannot be read or watched is logged, and SIGHUP reads it again.
    bool start(sluice_document_sink& sink) noexcept;
    void stop() noexcept;

    // Reads the file now and publishes it; a read error is logged and changes nothing.
    void reread();

private:
    void do_watch();

    file_source source_;
    sluice_document_sink* sink_ = nullptr;
    int inotify_fd_ = -1;
    boost::asio::posix::stream_descriptor events_;
    std::array<char, 4096> event_buffer_{};
};

}  // namespace sluice::control
