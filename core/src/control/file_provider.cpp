#include "control/file_provider.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

namespace sluice::control {

std::optional<file_source> file_provider_source(const config::static_config& cfg) {
    if (!cfg.file_provider) return std::nullopt;
    if (!cfg.file_provider->filename.empty()) return file_source{cfg.file_provider->filename, false, cfg.file_provider->watch};
    return file_source{cfg.source, true, cfg.file_provider->watch};
}

file_provider::file_provider(boost::asio::io_context& control, file_source source)
    : source_(std::move(source)), events_(control) {}

file_provider::~file_provider() {
    boost::system::error_code ec;
    events_.close(ec);
}

const sluice_provider_ops& file_provider::ops() noexcept {
    static constexpr sluice_provider_ops table{
        sizeof(sluice_provider_ops),
        nullptr,
        [](void* self) { delete static_cast<file_provider*>(self); },
        [](void* self, sluice_document_sink* sink) -> int32_t {
            return static_cast<file_provider*>(self)->start(*sink) ? 1 : 0;
        },
        [](void* self) { static_cast<file_provider*>(self)->stop(); },
    };
    return table;
}

bool file_provider::start(sluice_document_sink& sink) noexcept {
    sink_ = &sink;
    const auto& file = source_.file;
    if (source_.watch) {
        inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        const auto folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
        if (inotify_fd_ < 0 ||
            ::inotify_add_watch(inotify_fd_, folder.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
            spdlog::warn("cannot watch {} for changes ({}); send SIGHUP to reload it", file.string(),
                         std::strerror(errno));
            if (inotify_fd_ >= 0) ::close(inotify_fd_);
            inotify_fd_ = -1;
        } else {
            boost::system::error_code ec;
            events_.assign(inotify_fd_, ec);
            do_watch();
        }
    }
    try {
        reread();
    } catch (const std::exception& e) {
        spdlog::error("cannot read {}: {}", file.string(), e.what());
    }
    return true;
}

void file_provider::stop() noexcept {
    boost::system::error_code ec;
    events_.close(ec);
}

void file_provider::reread() {
    std::ifstream in(source_.file, std::ios::binary);
    if (!in) {
        spdlog::error("cannot read {}: the previous configuration stays in force", source_.file.string());
        return;
    }
    std::stringstream text;
    text << in.rdbuf();
    sink_->publish(text.str());
}

void file_provider::do_watch() {
    events_.async_read_some(boost::asio::buffer(event_buffer_), [this](boost::system::error_code ec, std::size_t n) {
        if (ec) return;
        const std::string name = source_.file.filename().string();
        bool ours = false;
        for (std::size_t at = 0; at + sizeof(inotify_event) <= n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(event_buffer_.data() + at);
            if (event->len > 0 && name == event->name) ours = true;
            at += sizeof(inotify_event) + event->len;
        }
        if (ours) reread();
        do_watch();
    });
}

}  // namespace sluice::control
