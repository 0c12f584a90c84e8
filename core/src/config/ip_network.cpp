#include "config/ip_network.hpp"

#include <charconv>
#include <string>

#include <boost/asio/ip/address.hpp>

namespace sluice::config {

namespace {
bool to_v6_bytes(std::string_view text, std::array<std::uint8_t, 16>& out, bool& v4) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(std::string(text), ec);
    if (ec) return false;
    v4 = address.is_v4();
    out = v4 ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4()).to_bytes()
             : address.to_v6().to_bytes();
    return true;
}
}  // namespace

bool ip_network::parse(std::string_view text, ip_network& out) {
    const auto slash = text.find('/');
    bool v4 = false;
    if (!to_v6_bytes(text.substr(0, slash), out.bytes_, v4)) return false;
    out.prefix_ = 128;
    if (slash != std::string_view::npos) {
        const std::string_view bits = text.substr(slash + 1);
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), value);
        if (ec != std::errc{} || end != bits.data() + bits.size() || bits.empty() || value > (v4 ? 32u : 128u))
            return false;
        out.prefix_ = v4 ? value + 96 : value;
    }
    return true;
}

bool ip_network::contains(std::string_view address) const {
    std::array<std::uint8_t, 16> bytes{};
    bool v4 = false;
    if (!to_v6_bytes(address, bytes, v4)) return false;
    unsigned bits = prefix_;
    for (std::size_t i = 0; i < 16 && bits > 0; ++i) {
        const unsigned take = bits >= 8 ? 8 : bits;
        const std::uint8_t mask = static_cast<std::uint8_t>(0xFF00u >> take);
        if ((bytes[i] & mask) != (bytes_[i] & mask)) return false;
        bits -= take;
    }
    return true;
}

}  // namespace sluice::config
