// Boost.URL's compiled part, once for the plugin and its tests (hidden in the plugin: no
// Boost type crosses the plugin boundary).
#include <boost/url/src.hpp>
