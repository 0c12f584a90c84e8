#include "http/message_views.hpp"

#include "http/request_target.hpp"

namespace sluice::http {

void visit_fields(const bhttp::fields& fields, sdk::header_visitor& visitor) noexcept {
    for (const auto& f : fields)
        if (!visitor.on_field({f.name_string(), f.value()})) return;
}

namespace {
std::string_view get(const bhttp::fields& f, std::string_view name) noexcept {
    auto it = f.find(name);
    if (it == f.end()) return {};
    return it->value();
}
// Header edits from plugins are best effort: allocation failure drops the edit.
template <class Fn>
void guarded(Fn fn) noexcept {
    try {
        fn();
    } catch (...) {
    }
}
}  // namespace

std::string_view request_view::header(std::string_view name) const noexcept { return get(req_, name); }
bool request_view::has_header(std::string_view name) const noexcept { return req_.find(name) != req_.end(); }
void request_view::set_target(std::string_view target) noexcept {
    guarded([&] {
        request_target t;
        if (parse_request_target(target, t) && t.form == target_form::origin) {
            req_.target(t.forward_target);
            rewritten_path_ = std::move(t.routing_path);
            routing_path_ = rewritten_path_;
        } else {
            req_.target(target);
        }
    });
}
void request_view::set_header(std::string_view n, std::string_view v) noexcept { guarded([&] { req_.set(n, v); }); }
void request_view::add_header(std::string_view n, std::string_view v) noexcept { guarded([&] { req_.insert(n, v); }); }
void request_view::remove_header(std::string_view n) noexcept { guarded([&] { req_.erase(n); }); }

std::string_view response_view::header(std::string_view name) const noexcept { return get(fields_, name); }
bool response_view::has_header(std::string_view name) const noexcept { return fields_.find(name) != fields_.end(); }
void response_view::set_header(std::string_view n, std::string_view v) noexcept { guarded([&] { fields_.set(n, v); }); }
void response_view::add_header(std::string_view n, std::string_view v) noexcept {
    guarded([&] { fields_.insert(n, v); });
}
void response_view::remove_header(std::string_view n) noexcept { guarded([&] { fields_.erase(n); }); }

void local_reply_builder::set_header(std::string_view n, std::string_view v) noexcept {
    guarded([&] { message.set(n, v); });
}
void local_reply_builder::set_body(std::string_view body) noexcept { guarded([&] { message.body() = body; }); }

}  // namespace sluice::http
