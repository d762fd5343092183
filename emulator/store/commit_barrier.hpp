#pragma once
// CommitBarrier: says whether changes the engine already accepted are still waiting to become durable,
// and calls back once they are. The HTTP sessions of `serve` hold every response behind it, so that
// no client is told about a change (or shown state) that a crash could still take back.
//   if (barrier.has_staged()) barrier.after_sync([](const core::Result<void>& r) { answer(r); });

#include <functional>

#include "emulator/core/result.hpp"

namespace emu::store {

class CommitBarrier {
 public:
  // The outcome of the commit that covered everything staged when the waiter was registered.
  using Waiter = std::function<void(const core::Result<void>&)>;

  virtual ~CommitBarrier() = default;

  // True while some accepted change is not committed yet.
  virtual bool has_staged() const = 0;
  // Calls `waiter` after the next commit, with its outcome; at once (with ok) when nothing is staged.
  virtual void after_sync(Waiter waiter) = 0;
};

}  // namespace emu::store
