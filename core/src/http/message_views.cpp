#include "http/message_views.hpp"

#include "http/request_target.hpp"

namespace sluice::http {

void visit_fields(const fields& fields, sluice_header_visitor visitor, void* context) noexcept {
    for (const auto& f : fields)
        if (!visitor(context, plugin::to_str(f.name_string()), plugin::to_str(f.value()))) return;
}

bool find_field(const fields& fields, std::string_view name, std::string_view& value) noexcept {
    auto it = fields.find(name);
    if (it == fields.end()) {
        value = {};
        return false;
    }
    value = it->value();
    return true;
}

namespace {
// Header edits from plugins are best effort: allocation failure drops the edit.
template <class Fn>
void guarded(Fn fn) noexcept {
    try {
        fn();
    } catch (...) {
    }
}
}  // namespace

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
