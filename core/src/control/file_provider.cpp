#include "control/file_provider.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include <spdlog/spdlog.h>

#include "config/config_error.hpp"

namespace sluice::control {

namespace fs = std::filesystem;

std::optional<file_source> file_provider_source(const config::static_config& cfg) {
    if (!cfg.file_provider) return std::nullopt;
    const auto& fp = *cfg.file_provider;
    if (!fp.directory.empty()) return file_source{fp.directory, true, false, fp.watch};
    if (!fp.filename.empty()) return file_source{fp.filename, false, false, fp.watch};
    return file_source{cfg.source, false, true, fp.watch};
}

namespace {

bool read_text(const fs::path& file, file_scan& scan) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {  // a link is followed; a folder, a FIFO or a dangling link is not read
        scan.unreadable.emplace_back(file, ec ? ec.message() : "not a regular file");
        return false;
    }
    std::ifstream in(file, std::ios::binary);
    std::string text;
    if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad()) {
        scan.unreadable.emplace_back(file, std::strerror(errno));
        return false;
    }
    scan.documents.push_back({file, std::move(text)});
    return true;
}

bool dynamic_file_name(const fs::path& file) {
    const std::string ext = config::to_lower(file.extension().string());
    return ext == ".toml" || ext == ".yml" || ext == ".yaml";
}

// The sub-folders of `folder` worth reading or watching (into `folders`, when given), and its
// configuration files (read into `scan`, when given).
void scan_folder(const fs::path& folder, file_scan* scan, std::vector<fs::path>* folders) {
    std::error_code ec;
    std::vector<fs::path> subfolders;
    if (folders) folders->push_back(folder);
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& path = it->path();
        if (path.filename().string().starts_with('.')) continue;
        std::error_code type_ec;
        if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) subfolders.push_back(path);
        else if (scan && dynamic_file_name(path)) read_text(path, *scan);
    }
    if (ec) {
        if (scan) scan->unreadable.emplace_back(folder, ec.message());
        return;
    }
    for (const auto& sub : subfolders) scan_folder(sub, scan, folders);
}

// Every folder of the directory `root` to watch.
std::vector<fs::path> folders_of(const fs::path& root) {
    std::vector<fs::path> folders;
    scan_folder(root, nullptr, &folders);
    return folders;
}

}  // namespace

file_scan read_file_documents(const file_source& source) {
    file_scan scan;
    if (!source.directory) {
        read_text(source.path, scan);
        return scan;
    }
    scan_folder(source.path, &scan, nullptr);
    // Path by path, element by element: each folder's entries by name, a sub-folder's files
    // where the sub-folder's name falls (Traefik's order: "a/x.toml" before "a-b.toml").
    std::sort(scan.documents.begin(), scan.documents.end(),
              [](const file_document& a, const file_document& b) { return a.path < b.path; });
    return scan;
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
    if (source_.watch) {
        inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (inotify_fd_ < 0) {
            spdlog::warn("cannot watch {} for changes ({}); send SIGHUP to reload it", source_.path.string(),
                         std::strerror(errno));
        } else {
            boost::system::error_code ec;
            events_.assign(inotify_fd_, ec);
            if (!source_.directory) watch_folders();  // reread() watches a directory's folders
            do_watch();
        }
    }
    try {
        reread();
    } catch (const std::exception& e) {
        spdlog::error("cannot read {}: {}", source_.path.string(), e.what());
    }
    return true;
}

void file_provider::stop() noexcept {
    boost::system::error_code ec;
    events_.close(ec);
}

// The file's folder, or the directory and each of its sub-folders (again before every
// reading: a new sub-folder is watched from then on; the kernel drops a removed one's).
void file_provider::watch_folders() {
    if (inotify_fd_ < 0) return;
    std::vector<fs::path> folders;
    if (source_.directory) folders = folders_of(source_.path);
    else folders.push_back(source_.path.has_parent_path() ? source_.path.parent_path() : fs::path("."));
    for (const auto& folder : folders)
        if (::inotify_add_watch(inotify_fd_, folder.c_str(),
                                IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE) < 0)
            spdlog::warn("cannot watch {} for changes ({}); send SIGHUP to reload it", folder.string(),
                         std::strerror(errno));
}

void file_provider::reread() {
    if (source_.directory) watch_folders();  // before reading: what changes after is seen
    file_scan scan = read_file_documents(source_);
    for (const auto& [path, reason] : scan.unreadable)
        spdlog::error("cannot read {} ({}): what it gave before stays in force", path.string(), reason);
    std::set<fs::path> seen;
    for (auto& doc : scan.documents) {
        sink_->publish_file(doc.path.string(), doc.text);
        seen.insert(doc.path);
    }
    // A file gone from the directory takes its objects with it, unless it sits in a folder
    // that could not be read.
    const auto under_unreadable = [&](const fs::path& file) {
        return std::any_of(scan.unreadable.begin(), scan.unreadable.end(), [&](const auto& u) {
            const auto [end, _] = std::mismatch(u.first.begin(), u.first.end(), file.begin(), file.end());
            return end == u.first.end();
        });
    };
    for (auto it = published_.begin(); it != published_.end();) {
        if (seen.count(*it) || under_unreadable(*it)) {
            ++it;
            continue;
        }
        spdlog::info("{} is gone: its routers, services and middlewares are withdrawn", it->string());
        sink_->withdraw_file(it->string());
        it = published_.erase(it);
    }
    published_.insert(seen.begin(), seen.end());
}

void file_provider::do_watch() {
    events_.async_read_some(boost::asio::buffer(event_buffer_), [this](boost::system::error_code ec, std::size_t n) {
        if (ec) return;
        // A directory is read again on any change in its folders (a rename of Kubernetes'
        // ..data link included); a file only when its own name changed.
        const std::string name = source_.path.filename().string();
        bool ours = source_.directory;
        for (std::size_t at = 0; !ours && at + sizeof(inotify_event) <= n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(event_buffer_.data() + at);
            if (event->len > 0 && name == event->name) ours = true;
            at += sizeof(inotify_event) + event->len;
        }
        if (ours) reread();
        do_watch();
    });
}

}  // namespace sluice::control
