// Fakes for unit-testing balancers without the host: a server set with the host's filter
// over it (fake_server_set), and what a wrapping balancer's pickers wrap (wrappable_picker;
// cycling_picker is a strategy to wrap, picker_object in instances.hpp another). The filter
// and the inner picker are reached through fake_api(), the fakes' host table (fakes.hpp,
// included at the end), as the host's table reaches its own. Test code only, as fakes.hpp:
// not thread-safe, and no fake may be copied or moved once a plugin has seen it.
//
//     fake_server_set servers({{"http://a", 1}, {"http://b", 1}});
//     servers.set_up(1, false);
//     auto filter = servers.accepting();   // admits server 0 only
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/sdk/balancer.hpp"

namespace sluice::sdk::testing {

// The fakes' host table (fakes.hpp).
inline const sluice_host_api* fake_api() noexcept;

// A server set and the host's filter over it, with health the test can flip and the
// servers a request already tried: fake_server_set servers({{"http://a", 1}, {"http://b", 2}}).
class fake_server_set {
public:
    explicit fake_server_set(std::vector<std::pair<std::string, std::uint32_t>> servers)
        : urls_(std::move(servers)), up_(urls_.size(), true), starting_(urls_.size(), false) {
        for (const auto& [url, weight] : urls_) infos_.push_back({{url.data(), url.size()}, weight});
    }
    fake_server_set(const fake_server_set&) = delete;
    fake_server_set& operator=(const fake_server_set&) = delete;

    void set_up(std::size_t i, bool up) { up_[i] = up; }
    // A server in its slow start, as far as the fake goes: refused for new placements
    // (accept), accepted for clients pinned to it (accept_pinned).
    void set_starting(std::size_t i, bool starting) { starting_[i] = starting; }
    const sluice_server_info* data() const noexcept { return infos_.data(); }
    std::size_t size() const noexcept { return infos_.size(); }

    // What the host accepts: up, not excluded, within the cap on proposals. An sdk::server_filter.
    class filter : public sdk::server_filter {
    public:
        filter(const fake_server_set& set, std::vector<std::int32_t> exclude)
            : sdk::server_filter(fake_api(), reinterpret_cast<const sluice_server_filter*>(this)),
              set_(set),
              exclude_(std::move(exclude)) {}
        filter(const filter&) = delete;
        filter& operator=(const filter&) = delete;

        bool admits(std::int32_t i, bool pinned) const noexcept {
            if (++proposals > 4 * set_.infos_.size() + 4) return false;
            if (i < 0 || static_cast<std::size_t>(i) >= set_.infos_.size() || !set_.up_[static_cast<std::size_t>(i)])
                return false;
            if (!pinned && set_.starting_[static_cast<std::size_t>(i)]) return false;
            return std::find(exclude_.begin(), exclude_.end(), i) == exclude_.end();
        }
        mutable std::size_t proposals = 0;

    private:
        const fake_server_set& set_;
        std::vector<std::int32_t> exclude_;
    };
    filter accepting(std::vector<std::int32_t> exclude = {}) const { return filter(*this, std::move(exclude)); }

private:
    std::vector<std::pair<std::string, std::uint32_t>> urls_;  // moving the vector keeps the strings in place
    std::vector<sluice_server_info> infos_;
    std::vector<bool> up_;
    std::vector<bool> starting_;
};

// What a wrapping picker can wrap (its sluice_inner_picker): the fake host forwards the
// inner_* calls here. cycling_picker is one; a picker_object (instances.hpp) is another.
class wrappable_picker {
public:
    sluice_inner_picker* inner_handle() noexcept { return reinterpret_cast<sluice_inner_picker*>(this); }

    virtual std::int32_t inner_pick(const sluice_request* request, const sluice_server_filter* filter) noexcept = 0;
    virtual void inner_on_response(const sluice_request* request, sluice_response* response,
                                   std::int32_t server) noexcept = 0;
    virtual void inner_on_attempt(const sluice_request* request, const sluice_attempt* attempt) noexcept = 0;

protected:
    ~wrappable_picker() = default;
};

// A strategy for wrapping balancers to wrap: cycles over the servers the filter accepts,
// and counts what it was told.
class cycling_picker final : public wrappable_picker {
public:
    explicit cycling_picker(const fake_server_set& set) : size_(set.size()) {}

    std::int32_t inner_pick(const sluice_request*, const sluice_server_filter* f) noexcept override {
        ++picks;
        const sdk::server_filter filter(fake_api(), f);
        for (std::size_t step = 0; step < size_; ++step) {
            const auto i = static_cast<std::int32_t>((next_ + step) % size_);
            if (!filter.accept(i)) continue;
            next_ = static_cast<std::size_t>(i) + 1;
            return i;
        }
        return -1;
    }
    void inner_on_response(const sluice_request*, sluice_response*, std::int32_t) noexcept override { ++responses; }
    void inner_on_attempt(const sluice_request*, const sluice_attempt* a) noexcept override {
        attempts.push_back(a->server);
    }

    int picks = 0, responses = 0;
    std::vector<std::int32_t> attempts;  // the server of each attempt it was told about

private:
    std::size_t size_;
    std::size_t next_ = 0;
};

}  // namespace sluice::sdk::testing

// fake_api(): its table forwards the filter's and the inner pickers' calls to the fakes above.
#include "sluice/sdk/testing/fakes.hpp"
