// Boost.JSON compiled into this plugin (header-only use; Debian ships no library for it).
#include <boost/json/src.hpp>
