// What basicAuth and digestAuth share: their users, from the configuration's `users` list
// and a `usersFile` (htpasswd or htdigest lines), the file read again when it changes.
#pragma once

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sluice/sdk/config_reader.hpp"
#include "sluice/sdk/host.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::auth {

// One line of a users file, as the middleware looks it up: "name" (htpasswd) or
// "name:realm" (htdigest), and its secret (a password hash).
struct credential {
    std::string key, secret;
};
// Parses one line; nullopt with `why` when it is not one the middleware can use.
using credential_parser = std::optional<credential> (*)(std::string_view line, std::string& why);
using credential_map = std::unordered_map<std::string, std::string>;

// The lines of a users file that hold users: trimmed, blank lines and "#" comments left out,
// each with its line number.
inline std::vector<std::pair<std::size_t, std::string>> user_lines(const std::string& text) {
    std::vector<std::pair<std::size_t, std::string>> out;
    std::istringstream in(text);
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        const auto trimmed = sdk::trim(line);
        if (!trimmed.empty() && trimmed.front() != '#') out.emplace_back(number, std::string(trimmed));
    }
    return out;
}

// The users of one middleware. `current()` may be called from every worker at once: at most
// once a second one of them looks at the file (a stat), and reads it again when its size,
// time or inode changed. A file that became unreadable or holds a malformed line is logged
// and the users read before stay.
class credential_store {
public:
    // Reads `users` and `usersFile` from `options`, reporting what is wrong at those keys.
    // Null when there are errors, or no user at all.
    static std::unique_ptr<credential_store> create(sdk::config_reader& options, credential_parser parse,
                                                    const sdk::host& host, std::string_view line_form) {
        auto store = std::unique_ptr<credential_store>(new credential_store(parse, host));
        const auto listed = options.string_list_or("users", {});
        for (std::size_t i = 0; i < listed.size(); ++i) {
            std::string why;
            if (auto c = parse(listed[i], why)) store->listed_.push_back(std::move(*c));
            else options.error("users[" + std::to_string(i) + "]", why);
        }
        store->path_ = options.string_or("usersFile", "");
        credential_map users;
        if (!store->path_.empty()) {
            std::string why;
            if (!store->read_file(users, why)) options.error("usersFile", why);
        }
        for (const auto& c : store->listed_) users[c.key] = c.secret;
        if (options.ok() && users.empty())
            options.error("", "no users: list them in users (\"" + std::string(line_form) +
                                  "\") or in a usersFile");
        if (!options.ok()) return nullptr;
        store->users_ = std::make_shared<const credential_map>(std::move(users));
        return store;
    }

    std::shared_ptr<const credential_map> current() {
        if (!path_.empty()) {
            const auto now = std::chrono::steady_clock::now();
            std::unique_lock lock(mutex_);
            if (now >= next_check_) {
                next_check_ = now + std::chrono::seconds(1);
                lock.unlock();
                reload_if_changed();
                lock.lock();
            }
            return users_;
        }
        std::lock_guard lock(mutex_);
        return users_;
    }

private:
    struct file_state {
        timespec mtime{};
        off_t size = -1;
        ino_t inode = 0;
        bool operator==(const file_state& o) const noexcept {
            return mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec && size == o.size &&
                   inode == o.inode;
        }
    };

    credential_store(credential_parser parse, const sdk::host& host) : parse_(parse), host_(host) {}

    // The file's users into `out`; false with `why` when it cannot be read or a line is wrong.
    bool read_file(credential_map& out, std::string& why) {
        struct stat st {};
        if (::stat(path_.c_str(), &st) != 0) {
            why = "cannot read \"" + path_ + "\": " + std::strerror(errno);
            return false;
        }
        seen_ = {st.st_mtim, st.st_size, st.st_ino};
        std::ifstream in(path_, std::ios::binary);
        std::stringstream text;
        if (!(text << in.rdbuf()) && st.st_size > 0) {
            why = "cannot read \"" + path_ + "\"";
            return false;
        }
        for (const auto& [number, line] : user_lines(text.str())) {
            std::string line_why;
            if (auto c = parse_(line, line_why)) {
                out[c->key] = std::move(c->secret);
            } else {
                why = "\"" + path_ + "\" line " + std::to_string(number) + ": " + line_why;
                return false;
            }
        }
        return true;
    }

    void reload_if_changed() {
        struct stat st {};
        const bool readable = ::stat(path_.c_str(), &st) == 0;
        const file_state now = readable ? file_state{st.st_mtim, st.st_size, st.st_ino} : file_state{};
        if (now == seen_) return;
        credential_map users;
        std::string why;
        if (!read_file(users, why)) {
            seen_ = now;  // logged once per change of the file
            host_.log(sdk::log_level::error, "usersFile: " + why + "; the users read before stay");
            return;
        }
        for (const auto& c : listed_) users[c.key] = c.secret;
        if (users.empty()) {
            host_.log(sdk::log_level::error, "usersFile: \"" + path_ + "\" holds no user; the users read before stay");
            return;
        }
        host_.log(sdk::log_level::info, "usersFile: \"" + path_ + "\" read again: " + std::to_string(users.size()) + " users");
        auto fresh = std::make_shared<const credential_map>(std::move(users));
        std::lock_guard lock(mutex_);
        users_ = std::move(fresh);
    }

    credential_parser parse_;
    sdk::host host_;
    std::vector<credential> listed_;  // from `users`, over the file's
    std::string path_;
    file_state seen_;  // touched by the one thread checking (next_check_ lets one in a second)
    std::mutex mutex_;
    std::chrono::steady_clock::time_point next_check_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    std::shared_ptr<const credential_map> users_;
};

}  // namespace sluice::auth
