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

// The users of one middleware, by key, and the secret an unknown user is checked against
// (the costliest, so that an unknown name takes as long as a known one).
struct credential_set {
    credential_map by_key;
    std::string stand_in;
};
// How long checking a secret takes, in any unit: the stand-in is the secret ranked highest.
using secret_cost = int (*)(std::string_view secret);

// The users of one middleware. `current()` may be called from every worker at once: at most
// once a second one of them looks at the file (a stat), and reads it again when its size,
// time or inode changed. What the file says then is what counts, so removing a user or the
// file takes effect: a line that is not valid is left out (and logged with its number), a
// file that is gone or unreadable holds no users (logged). The configuration's `users` stay.
class credential_store {
public:
    // Reads `users` and `usersFile` from `options`, reporting what is wrong at those keys.
    // Null when there are errors, or no user at all.
    static std::unique_ptr<credential_store> create(sdk::config_reader& options, credential_parser parse,
                                                    secret_cost cost, const sdk::host& host,
                                                    std::string_view line_form) {
        auto store = std::unique_ptr<credential_store>(new credential_store(parse, cost, host));
        const auto listed = options.string_list_or("users", {});
        for (std::size_t i = 0; i < listed.size(); ++i) {
            std::string why;
            if (auto c = parse(listed[i], why)) store->listed_.push_back(std::move(*c));
            else options.error("users[" + std::to_string(i) + "]", why);
        }
        store->path_ = options.string_or("usersFile", "");
        credential_map users;
        if (!store->path_.empty()) {
            std::vector<std::string> problems;
            store->seen_ = store->read_file(users, problems);
            if (!problems.empty()) options.error("usersFile", problems.front());
        }
        if (options.ok() && users.empty() && store->listed_.empty())
            options.error("", "no users: list them in users (\"" + std::string(line_form) +
                                  "\") or in a usersFile");
        if (!options.ok()) return nullptr;
        store->users_ = store->with_listed(std::move(users));
        return store;
    }

    std::shared_ptr<const credential_set> current() {
        if (!path_.empty()) {
            const auto now = std::chrono::steady_clock::now();
            bool due = false;
            {
                std::lock_guard lock(mutex_);
                if (now >= next_check_) next_check_ = now + std::chrono::seconds(1), due = true;
            }
            // One reader at a time; a slow file system holds up no other worker.
            if (due) {
                std::unique_lock reading(reload_mutex_, std::try_to_lock);
                if (reading) reload_if_changed();
            }
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

    credential_store(credential_parser parse, secret_cost cost, const sdk::host& host)
        : parse_(parse), cost_(cost), host_(host) {}

    // The file's valid users into `out`, what is wrong with it into `problems` (an unreadable
    // file, each invalid line); returns the state of the file read.
    file_state read_file(credential_map& out, std::vector<std::string>& problems) const {
        struct stat st {};
        if (::stat(path_.c_str(), &st) != 0) {
            problems.push_back("cannot read \"" + path_ + "\": " + std::strerror(errno));
            return {};
        }
        std::ifstream in(path_, std::ios::binary);
        std::stringstream text;
        if (!in || (!(text << in.rdbuf()) && st.st_size > 0)) {
            problems.push_back("cannot read \"" + path_ + "\": " + std::strerror(errno));
            return {};
        }
        for (const auto& [number, line] : user_lines(text.str())) {
            std::string why;
            if (auto c = parse_(line, why)) out[c->key] = std::move(c->secret);
            else problems.push_back("\"" + path_ + "\" line " + std::to_string(number) + ": " + why);
        }
        return {st.st_mtim, st.st_size, st.st_ino};
    }

    // The file's users with the configuration's over them, and the stand-in.
    std::shared_ptr<const credential_set> with_listed(credential_map users) const {
        for (const auto& c : listed_) users[c.key] = c.secret;
        auto set = std::make_shared<credential_set>();
        for (const auto& [key, secret] : users)
            if (set->stand_in.empty() || cost_(secret) > cost_(set->stand_in)) set->stand_in = secret;
        set->by_key = std::move(users);
        return set;
    }

    // Under reload_mutex_.
    void reload_if_changed() {
        struct stat st {};
        const file_state now =
            ::stat(path_.c_str(), &st) == 0 ? file_state{st.st_mtim, st.st_size, st.st_ino} : file_state{};
        if (now == seen_) return;
        credential_map users;
        std::vector<std::string> problems;
        seen_ = read_file(users, problems);
        for (const auto& p : problems) host_.log(sdk::log_level::error, "usersFile: " + p + " (left out)");
        host_.log(sdk::log_level::info, "usersFile: \"" + path_ + "\" read again: " + std::to_string(users.size()) +
                                            " users from the file");
        auto fresh = with_listed(std::move(users));
        std::lock_guard lock(mutex_);
        users_ = std::move(fresh);
    }

    credential_parser parse_;
    secret_cost cost_;
    sdk::host host_;
    std::vector<credential> listed_;  // from `users`, over the file's
    std::string path_;
    std::mutex reload_mutex_;
    file_state seen_;  // under reload_mutex_
    std::mutex mutex_;  // users_ and next_check_
    std::chrono::steady_clock::time_point next_check_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    std::shared_ptr<const credential_set> users_;
};

}  // namespace sluice::auth
