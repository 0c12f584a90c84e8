#include "control/configuration_watcher.hpp"

#include <filesystem>
#include <set>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "config/static_config.hpp"
#include "config/yaml_document.hpp"

namespace sluice::control {

namespace net = boost::asio;

config::dynamic_config parse_provider_document(const std::string& provider, const std::string& source,
                                               const std::string& document, bool shared_file,
                                               const std::vector<std::string>& balancer_wrappers) {
    // A YAML file (by its name) is read as TOML written line by line, its lines kept.
    const std::string ext = config::to_lower(std::filesystem::path(source).extension().string());
    if (ext == ".yml" || ext == ".yaml") {
        const config::generated_toml text = config::yaml_as_toml(document, source);
        try {
            auto parsed = config::parse_dynamic_config(text.parse(), provider, source, shared_file, balancer_wrappers);
            config::relocate(parsed, text);
            return parsed;
        } catch (const config::config_exception& e) {
            config::error_list errors = e.errors();
            text.relocate(errors);
            throw config::config_exception(std::move(errors));
        }
    }
    return config::parse_dynamic_config(config::parse_toml_text(document, source), provider, source, shared_file,
                                        balancer_wrappers);
}

configuration_watcher::configuration_watcher(net::io_context& control, std::chrono::milliseconds throttle,
                                             std::vector<std::string> balancer_wrappers)
    : throttle_(throttle), balancer_wrappers_(std::move(balancer_wrappers)), control_(control), timer_(control) {}

void configuration_watcher::submit(std::string provider, std::string source, std::string document,
                                   bool shared_file) {
    net::post(control_, [this, provider = std::move(provider), source = std::move(source),
                         document = std::move(document), shared_file] {
        accept(provider, source, document, shared_file);
    });
}

void configuration_watcher::withdraw(std::string provider, std::string source) {
    net::post(control_, [this, key = std::make_pair(std::move(provider), std::move(source))] {
        rejected_.erase(key);
        stats_.last_success = rejected_.empty();
        if (documents_.erase(key)) schedule_rebuild();
    });
}

void configuration_watcher::accept(const std::string& provider, const std::string& source,
                                   const std::string& document, bool shared_file) {
    auto key = std::make_pair(provider, source);
    auto it = documents_.find(key);
    if (it != documents_.end() && it->second.text == document) {
        rejected_.erase(key);  // back to what is in force
        stats_.last_success = rejected_.empty();
        return;
    }
    if (auto r = rejected_.find(key); r != rejected_.end() && r->second == document) return;  // said already
    provider_state state{document, {}};
    try {
        state.parsed = parse_provider_document(provider, source, document, shared_file, balancer_wrappers_);
    } catch (const config::config_exception& e) {
        spdlog::error("configuration from provider {} rejected, the previous one stays in force: {}", provider,
                      e.what());
        ++stats_.rejected;
        rejected_[std::move(key)] = document;
        stats_.last_success = false;
        return;
    }
    rejected_.erase(key);
    stats_.last_success = rejected_.empty();
    for (const auto& e : state.parsed.errors) spdlog::error("{}", e.to_string());
    documents_[std::move(key)] = std::move(state);
    schedule_rebuild();
}

void configuration_watcher::schedule_rebuild() {
    if (pending_) return;
    // Throttle: the first change of a burst arms the timer; the rebuild takes the newest state.
    pending_ = true;
    timer_.expires_after(generation_ == 0 ? std::chrono::milliseconds(0) : throttle_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        pending_ = false;
        rebuild();
    });
}

void configuration_watcher::rebuild() {
    config::dynamic_config merged;
    config::error_list duplicates;
    for (const auto& [key, state] : documents_) config::merge_into(merged, state.parsed, &duplicates);
    // Said once, not again on every rebuild while both definitions stay.
    std::set<std::string> said;
    for (const auto& e : duplicates) {
        std::string text = e.to_string();
        if (!duplicates_said_.count(text)) spdlog::warn("{}", text);
        said.insert(std::move(text));
    }
    duplicates_said_ = std::move(said);
    ++generation_;
    for (const auto& l : listeners_) l(generation_, merged);
    ++stats_.reloads;
    stats_.last_success = rejected_.empty();
    stats_.last_success_unix =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace sluice::control
