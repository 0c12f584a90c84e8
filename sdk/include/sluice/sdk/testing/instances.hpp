// Plugin objects created through a descriptor's C tables (sluice/abi.h), with the fakes
// (fakes.hpp) as host: what the host does, in test-sized pieces. They call exactly what the
// host calls, so a test through them exercises the SDK's generated functions too: NULL
// optional hooks, the exception barrier, per-request state.
//
//     fake_host host; collecting_errors errors;
//     const auto plugin = SLUICE_TESTING_LINKED_PLUGIN();   // or plugin_library (harness.hpp)
//     auto balancer = plugin.create_balancer(host, "svc@file", "", errors);
//     fake_server_set servers({{"http://a", 1}, {"http://b", 1}});
//     auto picker = balancer.create_picker(servers, errors);
//     fake_request req;
//     EXPECT_EQ(picker.pick(req, servers.accepting()), 0);
//
// Ownership: each object owns what its create made and destroys it through the table's
// destroy when it goes out of scope; a null object (creation refused) owns nothing and is
// false. Destroy pickers before their balancer, and stop a provider before destroying it (a
// started provider_object stops itself first), as the host does. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/sdk/plugin.hpp"
#include "sluice/sdk/testing/fakes.hpp"

namespace sluice::sdk::testing {

namespace detail {

// One object of a plugin: its table and the handle its create returned.
template <class Ops>
class owned_object {
public:
    owned_object() noexcept = default;
    owned_object(const Ops* ops, void* object) noexcept : ops_(ops), object_(object) {}
    owned_object(owned_object&& o) noexcept : ops_(o.ops_), object_(std::exchange(o.object_, nullptr)) {}
    owned_object& operator=(owned_object&& o) noexcept {
        if (this != &o) {
            reset();
            ops_ = o.ops_;
            object_ = std::exchange(o.object_, nullptr);
        }
        return *this;
    }
    ~owned_object() { reset(); }

    explicit operator bool() const noexcept { return object_ != nullptr; }
    void* get() const noexcept { return object_; }
    const Ops* ops() const noexcept { return ops_; }

protected:
    void reset() noexcept {
        if (object_) ops_->destroy(object_);
        object_ = nullptr;
    }

    const Ops* ops_ = nullptr;
    void* object_ = nullptr;
};

inline sluice_str to_c(std::string_view s) noexcept { return {s.data(), s.size()}; }

}  // namespace detail

// A picker, created by balancer_object::create_picker. It can itself be wrapped: inner()
// is what a wrapping balancer's create_picker takes.
class picker_object {
public:
    picker_object() noexcept = default;
    picker_object(const sluice_balancer_ops* ops, void* picker) : core_(picker ? std::make_unique<core>(ops, picker) : nullptr) {}

    explicit operator bool() const noexcept { return core_ != nullptr; }
    bool has_on_response() const noexcept { return core_->ops->on_response != nullptr; }
    bool has_on_attempt() const noexcept { return core_->ops->on_attempt != nullptr; }

    std::int32_t pick(const sdk::request& req, const sdk::server_filter& filter) const noexcept {
        return core_->ops->pick(core_->picker, req.handle(), filter.handle());
    }
    // As the host: skipped when the plugin has no such hook.
    void on_response(const sdk::request& req, sdk::response& resp, std::int32_t server) const noexcept {
        if (core_->ops->on_response) core_->ops->on_response(core_->picker, req.handle(), resp.handle(), server);
    }
    void on_attempt(const sdk::request& req, const sdk::attempt& a) const noexcept {
        const sluice_attempt c = a.to_c();
        if (core_->ops->on_attempt) core_->ops->on_attempt(core_->picker, req.handle(), &c);
    }
    // This picker as a wrapping picker's inner picker; valid while this object lives.
    wrappable_picker* inner() const noexcept { return core_.get(); }

private:
    // On the heap, so that a wrapping picker's handle to it survives moving the picker_object.
    struct core final : wrappable_picker {
        core(const sluice_balancer_ops* o, void* p) noexcept : ops(o), picker(p) {}
        core(const core&) = delete;
        core& operator=(const core&) = delete;
        ~core() { ops->destroy_picker(picker); }

        std::int32_t inner_pick(const sluice_request* r, const sluice_server_filter* f) noexcept override {
            return ops->pick(picker, r, f);
        }
        void inner_on_response(const sluice_request* r, sluice_response* s, std::int32_t server) noexcept override {
            if (ops->on_response) ops->on_response(picker, r, s, server);
        }
        void inner_on_attempt(const sluice_request* r, const sluice_attempt* a) noexcept override {
            if (ops->on_attempt) ops->on_attempt(picker, r, a);
        }

        const sluice_balancer_ops* ops;
        void* picker;
    };
    std::unique_ptr<core> core_;
};

class balancer_object : public detail::owned_object<sluice_balancer_ops> {
public:
    using owned_object::owned_object;

    // A picker over `servers`, wrapping `inner` when the balancer is a wrapper; null after
    // the plugin reported to `errors`. `servers` must outlive the picker.
    picker_object create_picker(const fake_server_set& servers, collecting_errors& errors,
                                wrappable_picker* inner = nullptr) const {
        void* p = ops_->create_picker(object_, servers.data(), servers.size(), inner ? inner->inner_handle() : nullptr,
                                      errors.handle());
        return picker_object(ops_, p);
    }
};

// A middleware. It plays one request at a time: on_request begins one (ending the one
// before), on_response runs with that request's state, end_request() ends it (so does the
// next on_request, or destruction), as the host's end_request.
class middleware_object : public detail::owned_object<sluice_middleware_ops> {
public:
    using owned_object::owned_object;
    middleware_object(middleware_object&& o) noexcept
        : owned_object(std::move(o)), state_(std::exchange(o.state_, nullptr)) {}
    middleware_object& operator=(middleware_object&& o) noexcept {
        end_request();
        owned_object::operator=(std::move(o));
        state_ = std::exchange(o.state_, nullptr);
        return *this;
    }
    ~middleware_object() { end_request(); }

    bool has_on_response() const noexcept { return ops_->on_response != nullptr; }
    // Whether the current request's on_request stored per-request state.
    bool holds_state() const noexcept { return state_ != nullptr; }

    sdk::verdict on_request(sdk::request& req, sdk::local_reply& reply) {
        end_request();
        return static_cast<sdk::verdict>(ops_->on_request(object_, req.handle(), reply.handle(), &state_));
    }
    sdk::verdict on_response(const sdk::request& req, sdk::response& resp) {
        if (!ops_->on_response) return sdk::verdict::proceed;
        return static_cast<sdk::verdict>(ops_->on_response(object_, req.handle(), resp.handle(), state_));
    }
    void end_request() noexcept {
        if (state_ && object_ && ops_->end_request) ops_->end_request(object_, state_);
        state_ = nullptr;
    }

private:
    void* state_ = nullptr;
};

class provider_object : public detail::owned_object<sluice_provider_ops> {
public:
    using owned_object::owned_object;
    provider_object(provider_object&& o) noexcept
        : owned_object(std::move(o)), started_(std::exchange(o.started_, false)) {}
    provider_object& operator=(provider_object&& o) noexcept {
        stop();
        owned_object::operator=(std::move(o));
        started_ = std::exchange(o.started_, false);
        return *this;
    }
    ~provider_object() { stop(); }

    // `sink` must stay valid until stop().
    bool start(sdk::document_sink& sink) noexcept {
        started_ = ops_->start(object_, sink.handle()) != 0;
        return started_;
    }
    // Stops a started provider (once); a provider that did not start is not stopped.
    void stop() noexcept {
        if (started_ && object_) ops_->stop(object_);
        started_ = false;
    }

private:
    bool started_ = false;
};

// A plugin's descriptor and typed access to its tables: SLUICE_TESTING_LINKED_PLUGIN() in a
// test that links the plugin's source, plugin_library::plugin() (harness.hpp) for a built
// library. Each create makes the object's own link on `host` (named after the plugin, its
// kind and `instance`), so faults and metrics read "<kind> <plugin> <instance> ...".
class loaded_plugin {
public:
    explicit loaded_plugin(const sluice_plugin* descriptor) noexcept : d_(descriptor) {}

    const sluice_plugin* descriptor() const noexcept { return d_; }
    const sluice_plugin* operator->() const noexcept { return d_; }
    plugin_kind kind() const noexcept { return static_cast<plugin_kind>(d_->kind); }
    balancer_role role() const noexcept { return static_cast<balancer_role>(d_->role); }
    std::string_view name() const noexcept { return d_->name; }

    balancer_object create_balancer(fake_host& host, std::string_view instance, std::string_view config,
                                    collecting_errors& errors) const {
        return {d_->balancer, create(d_->balancer, plugin_kind::balancer, host, instance, config, errors)};
    }
    middleware_object create_middleware(fake_host& host, std::string_view instance, std::string_view config,
                                        collecting_errors& errors) const {
        return {d_->middleware, create(d_->middleware, plugin_kind::middleware, host, instance, config, errors)};
    }
    provider_object create_provider(fake_host& host, std::string_view instance, std::string_view config,
                                    collecting_errors& errors) const {
        return {d_->provider, create(d_->provider, plugin_kind::provider, host, instance, config, errors)};
    }

private:
    template <class Ops>
    void* create(const Ops* ops, plugin_kind want, fake_host& host, std::string_view instance,
                 std::string_view config, collecting_errors& errors) const {
        if (kind() != want || !ops) {
            errors.error("", "plugin \"" + std::string(name()) + "\" is a " + std::string(to_string(kind())) +
                                 ", not a " + std::string(to_string(want)));
            return nullptr;
        }
        const sdk::host link = host.link(name(), to_string(want), instance);
        return ops->create(fake_api(), link.handle(), detail::to_c(instance), detail::to_c(config), errors.handle());
    }

    const sluice_plugin* d_;
};

// What a middleware's creation from `config` reports first, as "key: message"; empty when
// the middleware is created. For tables of configurations a plugin must refuse:
//
//     EXPECT_NE(middleware_refusal(SLUICE_TESTING_LINKED_PLUGIN(), "regex = '(['").find("regex"), npos);
inline std::string middleware_refusal(const loaded_plugin& plugin, std::string_view config) {
    fake_host host;
    collecting_errors errors;
    if (plugin.create_middleware(host, "test@file", config, errors)) return "";
    return errors.errors.empty() ? "(refused with no error)" : errors.errors[0].first + ": " + errors.errors[0].second;
}

// A strategy's balancer as the host holds it, for table tests of its pickers:
//
//     strategy_fixture f(SLUICE_TESTING_LINKED_PLUGIN());   // its balancer, no options
//     fake_server_set servers({{"http://a", 3}, {"http://b", 1}});
//     auto picker = f.picker(servers);
//     EXPECT_EQ(f.picks(picker, servers, 4), (std::vector<std::int32_t>{0, 0, 1, 0}));
struct strategy_fixture {
    explicit strategy_fixture(loaded_plugin plugin, std::string_view config = "")
        : plugin(plugin), balancer(plugin.create_balancer(host, "test", config, errors)) {}

    picker_object picker(const fake_server_set& servers) { return balancer.create_picker(servers, errors); }

    // The plugin is the strategy `name` (a balancer, not a wrapper) and made its balancer.
    bool is_strategy(std::string_view name) const {
        return plugin.kind() == plugin_kind::balancer && plugin.role() == balancer_role::strategy &&
               plugin.name() == name && static_cast<bool>(balancer);
    }

    // A pick for one request, with the host's filter over `servers` (down servers and
    // `exclude` refused); picks() makes `n` of them.
    static std::int32_t pick(const picker_object& p, const fake_server_set& servers,
                             const std::vector<std::int32_t>& exclude = {}) {
        fake_request req;
        return p.pick(req, servers.accepting(exclude));
    }
    static std::vector<std::int32_t> picks(const picker_object& p, const fake_server_set& servers, int n,
                                           const std::vector<std::int32_t>& exclude = {}) {
        std::vector<std::int32_t> out;
        for (int i = 0; i < n; ++i) out.push_back(pick(p, servers, exclude));
        return out;
    }
    // A pick for one request that the host lets go only to `server` (every other refused).
    static std::int32_t pick_only(const picker_object& p, const fake_server_set& servers, std::int32_t server) {
        std::vector<std::int32_t> others;
        for (std::int32_t i = 0; i < static_cast<std::int32_t>(servers.size()); ++i)
            if (i != server) others.push_back(i);
        return pick(p, servers, others);
    }
    // Teaches a picker that learns response times each server's: `rounds` times, server i is
    // picked (pick_only) and answers after `times[i]`. False when a pick did not return the
    // only server let through.
    static bool teach_times(const picker_object& p, const fake_server_set& servers,
                            const std::vector<std::chrono::milliseconds>& times, int rounds) {
        for (int k = 0; k < rounds; ++k)
            for (std::int32_t i = 0; i < static_cast<std::int32_t>(times.size()); ++i) {
                if (pick_only(p, servers, i) != i) return false;
                ended(p, i, times[static_cast<std::size_t>(i)]);
            }
        return true;
    }
    // The end of an attempt on `server` a pick returned, as the host reports it: answered
    // after `latency` (to the response head), or failed as `how`.
    static void ended(const picker_object& p, std::int32_t server,
                      std::chrono::microseconds latency = std::chrono::microseconds(0),
                      attempt_outcome how = attempt_outcome::response) {
        fake_request req;
        p.on_attempt(req, {server, how, static_cast<std::uint16_t>(how == attempt_outcome::response ? 200 : 0),
                           latency});
    }

    loaded_plugin plugin;
    fake_host host;
    collecting_errors errors;
    balancer_object balancer;  // false when the plugin refused `config`: see `errors`
};

}  // namespace sluice::sdk::testing
