#pragma once
// The operations Microsoft.BatchAI declares (Operations_List): each permission name with the display
// texts the live service returned.
//   boost::json::array ops = operation_catalog();

#include <boost/json/array.hpp>

namespace emu::api {

boost::json::array operation_catalog();

}  // namespace emu::api
