// The built-in file provider: publishes the [http] tables of one TOML file, re-reading it
// when it changes on disk (inotify on its folder, so editors that replace the file are
// seen) and on SIGHUP.
#pragma once

#include <array>
#include <filesystem>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "runtime/config_pipeline.hpp"

namespace sluice::runtime {

class file_provider {
public:
    // `shared_file`: the file is the static configuration itself.
    file_provider(boost::asio::io_context& control, config_pipeline& pipeline, std::filesystem::path file,
                  bool shared_file, bool watch);
    ~file_provider();

    // Reads the file now and publishes it; a read error is logged and changes nothing.
    void reload();

private:
    void do_watch();

    config_pipeline& pipeline_;
    std::filesystem::path file_;
    bool shared_file_;
    int inotify_fd_ = -1;
    boost::asio::posix::stream_descriptor events_;
    std::array<char, 4096> event_buffer_{};
};

}  // namespace sluice::runtime
