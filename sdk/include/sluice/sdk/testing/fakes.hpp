// Fakes for unit-testing plugins without the host. Not thread-safe; test code only.
#pragma once

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sluice/sdk/plugin.hpp"
#include "sluice/sdk/text.hpp"

namespace sluice::sdk::testing {

struct fake_host final : host {
    std::vector<std::pair<log_level, std::string>> lines;
    std::vector<std::string> faults;  // "<kind> <plugin> <instance> <hook>: <what>"
    void log(log_level level, std::string_view message) noexcept override { lines.emplace_back(level, message); }
    bool log_enabled(log_level) const noexcept override { return true; }
    void report_fault(const fault_report& f) noexcept override {
        faults.push_back(std::string(f.kind) + " " + std::string(f.plugin) + " " + std::string(f.instance) + " " +
                         std::string(f.hook) + ": " + std::string(f.what));
    }
};

struct collecting_errors final : error_sink {
    std::vector<std::pair<std::string, std::string>> errors;  // key, message
    void error(std::string_view key, std::string_view message) noexcept override { errors.emplace_back(key, message); }
};

// Ordered multi-map of header fields, as the host keeps them.
class fake_fields {
public:
    std::vector<std::pair<std::string, std::string>> fields;

    std::string_view get(std::string_view name) const noexcept {
        for (const auto& [k, v] : fields)
            if (iequals(k, name)) return v;
        return {};
    }
    bool has(std::string_view name) const noexcept {
        return std::any_of(fields.begin(), fields.end(), [&](const auto& f) { return iequals(f.first, name); });
    }
    void visit(header_visitor& v) const noexcept {
        for (const auto& [k, val] : fields)
            if (!v.on_field({k, val})) return;
    }
    void set(std::string_view name, std::string_view value) {
        erase(name);
        fields.emplace_back(name, value);
    }
    void add(std::string_view name, std::string_view value) { fields.emplace_back(name, value); }
    void erase(std::string_view name) {
        std::erase_if(fields, [&](const auto& f) { return iequals(f.first, name); });
    }
};

struct fake_request final : request {
    std::string method_ = "GET";
    std::string target_ = "/";
    std::string routing_path_;  // defaults to the path part of target_ when empty
    std::string host_;
    std::string client_ip_ = "127.0.0.1";
    fake_fields headers;

    std::string_view method() const noexcept override { return method_; }
    std::string_view target() const noexcept override { return target_; }
    std::string_view routing_path() const noexcept override {
        if (!routing_path_.empty()) return routing_path_;
        std::string_view t = target_;
        return t.substr(0, t.find('?'));
    }
    std::string_view host() const noexcept override { return host_; }
    std::string_view client_ip() const noexcept override { return client_ip_; }
    std::string_view header(std::string_view name) const noexcept override { return headers.get(name); }
    bool has_header(std::string_view name) const noexcept override { return headers.has(name); }
    void visit_headers(header_visitor& v) const noexcept override { headers.visit(v); }
    void set_target(std::string_view t) noexcept override {
        target_ = t;
        routing_path_.clear();
    }
    void set_header(std::string_view n, std::string_view v) noexcept override { headers.set(n, v); }
    void add_header(std::string_view n, std::string_view v) noexcept override { headers.add(n, v); }
    void remove_header(std::string_view n) noexcept override { headers.erase(n); }
};

struct fake_response final : response {
    std::uint16_t status_ = 200;
    fake_fields headers;

    std::uint16_t status() const noexcept override { return status_; }
    std::string_view header(std::string_view name) const noexcept override { return headers.get(name); }
    bool has_header(std::string_view name) const noexcept override { return headers.has(name); }
    void visit_headers(header_visitor& v) const noexcept override { headers.visit(v); }
    void set_header(std::string_view n, std::string_view v) noexcept override { headers.set(n, v); }
    void add_header(std::string_view n, std::string_view v) noexcept override { headers.add(n, v); }
    void remove_header(std::string_view n) noexcept override { headers.erase(n); }
};

struct fake_reply final : local_reply {
    std::uint16_t status_ = 0;
    fake_fields headers;
    std::string body;
    void set_status(std::uint16_t s) noexcept override { status_ = s; }
    void set_header(std::string_view n, std::string_view v) noexcept override { headers.set(n, v); }
    void set_body(std::string_view b) noexcept override { body = b; }
};

struct fake_document_sink final : document_sink {
    std::vector<std::string> documents;
    void publish(std::string_view doc) noexcept override { documents.emplace_back(doc); }
};

// A server set and the host's filter over it, with health the test can flip and the
// servers a request already tried: servers({{"a", 1}, {"b", 2}}).
class fake_server_set {
public:
    explicit fake_server_set(std::vector<std::pair<std::string, std::uint32_t>> servers)
        : urls_(std::move(servers)), up_(urls_.size(), true) {
        for (const auto& [url, weight] : urls_) infos_.push_back({url, weight});
    }
    server_set view(picker* inner = nullptr) const noexcept { return {infos_, inner}; }
    void set_up(std::size_t i, bool up) { up_[i] = up; }

    // What the host accepts: up, not excluded, within the cap on proposals.
    class filter final : public server_filter {
    public:
        filter(const fake_server_set& set, std::vector<std::int32_t> exclude)
            : set_(set), exclude_(std::move(exclude)) {}
        bool accept(std::int32_t i) const noexcept override {
            if (++proposals > 4 * set_.infos_.size() + 4) return false;
            if (i < 0 || static_cast<std::size_t>(i) >= set_.infos_.size() || !set_.up_[static_cast<std::size_t>(i)])
                return false;
            for (std::int32_t e : exclude_)
                if (e == i) return false;
            return true;
        }
        mutable std::size_t proposals = 0;

    private:
        const fake_server_set& set_;
        std::vector<std::int32_t> exclude_;
    };
    filter accepting(std::vector<std::int32_t> exclude = {}) const { return filter(*this, std::move(exclude)); }

private:
    std::vector<std::pair<std::string, std::uint32_t>> urls_;
    std::vector<server_info> infos_;
    std::vector<bool> up_;
};

// Owning handle for objects destroyed through release().
template <class T>
struct released {
    void operator()(T* p) const noexcept {
        if (p) p->release();
    }
};
template <class T>
using handle = std::unique_ptr<T, released<T>>;

}  // namespace sluice::sdk::testing

// In a test binary that compiles a plugin's source file directly, the descriptor the
// plugin exports: `auto* d = SLUICE_TESTING_LINKED_DESCRIPTOR();`.
#define SLUICE_TESTING_LINKED_DESCRIPTOR()                                                   \
    ([]() noexcept {                                                                         \
        return reinterpret_cast<const ::sluice::sdk::plugin_descriptor* (*)() noexcept>(      \
            ::sluice_plugin_entry)();                                                        \
    }())
extern "C" const void* sluice_plugin_entry;

namespace sluice::sdk::testing {

// A strategy for wrapping balancers to wrap: cycles over the servers the filter accepts.
class cycling_picker final : public picker {
public:
    explicit cycling_picker(server_set set) : set_(set) {}
    std::int32_t pick(const request&, const server_filter& filter) noexcept override {
        ++picks;
        const std::size_t n = set_.servers.size();
        for (std::size_t step = 0; step < n; ++step) {
            const auto i = static_cast<std::int32_t>((next_ + step) % n);
            if (!filter.accept(i)) continue;
            next_ = static_cast<std::size_t>(i) + 1;
            return i;
        }
        return -1;
    }
    void on_response(const request&, response&, std::int32_t) noexcept override { ++responses; }
    void release() noexcept override {}
    int picks = 0, responses = 0;

private:
    server_set set_;
    std::size_t next_ = 0;
};

}  // namespace sluice::sdk::testing
