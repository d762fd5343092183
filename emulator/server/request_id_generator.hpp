#pragma once
// RequestIdGenerator: random version-4 UUIDs for x-ms-request-id and x-ms-correlation-request-id,
// appended straight into the response head so a response costs no allocation for them. Request ids
// are wall-side noise, so they come from their own engine seeded by the OS, not the engine's seed.
//   RequestIdGenerator ids;  ids.append(head);  // head += "9b2c...-4...-a..."

#include <cstdint>
#include <random>
#include <string>

namespace emu::server {

class RequestIdGenerator {
 public:
  RequestIdGenerator();

  // Appends 36 characters: 8-4-4-4-12 lower-case hex digits.
  void append(std::string& out);

 private:
  std::mt19937_64 engine_;
};

}  // namespace emu::server
