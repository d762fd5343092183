#pragma once
// Who a serialized resource is for. kPublic is what clients see (GET, list, PUT responses): no
// passwords, account keys, secret values or instrumentation keys. kStored is everything, for the
// store, so that parsing it back gives an equal struct.
//   auto body = to_json(cluster_properties, Visibility::kPublic);

namespace emu::model {

enum class Visibility { kPublic, kStored };

}  // namespace emu::model
