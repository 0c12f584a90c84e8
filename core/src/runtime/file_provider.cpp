#include "runtime/file_provider.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

namespace sluice::runtime {

file_provider::file_provider(boost::asio::io_context& control, config_pipeline& pipeline, std::filesystem::path file,
                             bool shared_file, bool watch)
    : pipeline_(pipeline), file_(std::move(file)), shared_file_(shared_file), events_(control) {
    if (!watch) return;
    inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    const auto folder = file_.has_parent_path() ? file_.parent_path() : std::filesystem::path(".");
    if (inotify_fd_ < 0 ||
        ::inotify_add_watch(inotify_fd_, folder.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
        spdlog::warn("cannot watch {} for changes ({}); send SIGHUP to reload it", file_.string(), std::strerror(errno));
        if (inotify_fd_ >= 0) ::close(inotify_fd_);
        inotify_fd_ = -1;
        return;
    }
    events_.assign(inotify_fd_);
    do_watch();
}

file_provider::~file_provider() {
    boost::system::error_code ec;
    events_.close(ec);
}

void file_provider::reload() {
    std::ifstream in(file_, std::ios::binary);
    if (!in) {
        spdlog::error("cannot read {}: the previous configuration stays in force", file_.string());
        return;
    }
    std::stringstream text;
    text << in.rdbuf();
    pipeline_.submit("file", file_.string(), text.str(), shared_file_);
}

void file_provider::do_watch() {
    events_.async_read_some(boost::asio::buffer(event_buffer_), [this](boost::system::error_code ec, std::size_t n) {
        if (ec) return;
        const std::string name = file_.filename().string();
        bool ours = false;
        for (std::size_t at = 0; at + sizeof(inotify_event) <= n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(event_buffer_.data() + at);
            if (event->len > 0 && name == event->name) ours = true;
            at += sizeof(inotify_event) + event->len;
        }
        if (ours) reload();
        do_watch();
    });
}

}  // namespace sluice::runtime
