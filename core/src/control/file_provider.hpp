// The built-in file provider: publishes the [http] tables of one file, or of every
// .toml/.yml/.yaml file of a directory and its sub-folders (one document per file), reading
// them again when they change on disk (inotify on their folders, so editors that replace a
// file are seen) and on SIGHUP. It offers the provider table of abi.h (ops()), as plugin
// providers do, so that the provider host runs every provider alike; unlike a plugin it
// owns no thread: it reads and watches on the control thread's io_context.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include "config/static_config.hpp"
#include "plugin/host_api.hpp"

namespace sluice::control {

struct file_source {
    std::filesystem::path path;  // the file, or the directory
    bool directory = false;
    bool shared_file = false;    // the static configuration file itself: only its [http] tables
    bool watch = true;
};

// Where the file provider of `cfg` reads: its own file or directory, or the static file's
// [http] tables; nothing when there is no file provider.
std::optional<file_source> file_provider_source(const config::static_config& cfg);

// One file's text.
struct file_document {
    std::filesystem::path path;
    std::string text;
};

// What one reading of a file source found.
struct file_scan {
    std::vector<file_document> documents;  // in the order of their paths
    // Files and folders that could not be read, with the reason: what was read from them
    // before stays in force.
    std::vector<std::pair<std::filesystem::path, std::string>> unreadable;
};

// Reads the documents of `source` now: the file, or every .toml/.yml/.yaml file of the
// directory and its sub-folders. Names that begin with a dot are skipped (editors' lock
// files, Kubernetes' ..data folders) and symbolic links to folders are not followed; a
// linked file is read.
file_scan read_file_documents(const file_source& source);

class file_provider final {
public:
    // Created with new and destroyed through ops() like a plugin object (plugin::provider_object).
    file_provider(boost::asio::io_context& control, file_source source);
    ~file_provider();

    // abi.h's provider table over this class (its create is unused: the host makes it).
    static const sluice_provider_ops& ops() noexcept;

    // Reads the files at once, then watches them when asked to. Never fails: a file that
    // cannot be read or watched is logged, and SIGHUP reads it again.
    bool start(sluice_document_sink& sink) noexcept;
    void stop() noexcept;

    // Reads the files now and publishes each; a file that cannot be read is logged and its
    // previous document stays, a file that is gone from the directory is withdrawn.
    void reread();

private:
    void watch_folders();
    void do_watch();

    file_source source_;
    sluice_document_sink* sink_ = nullptr;
    std::set<std::filesystem::path> published_;
    int inotify_fd_ = -1;
    boost::asio::posix::stream_descriptor events_;
    std::array<char, 4096> event_buffer_{};
};

}  // namespace sluice::control
