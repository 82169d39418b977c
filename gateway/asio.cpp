// Asio's compiled part, built once for the whole project (see gateway/asio.hpp).
#include "gateway/asio.hpp"

#include <boost/asio/impl/src.hpp>
