// Undo actions for a multi-step operation: registered as each step succeeds, run in reverse
// order if the operation is abandoned (an exception unwinds past it), dropped on commit().
// This is what makes "a failed create leaves nothing behind" structural rather than remembered.
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace plugrt {

class Rollback {
public:
    Rollback() = default;
    Rollback(const Rollback&) = delete;
    Rollback& operator=(const Rollback&) = delete;
    ~Rollback() {
        if (committed_) {
            return;
        }
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
            try {
                (*it)();
            } catch (...) {
                // Destructors never throw; the original error is the one worth reporting.
            }
        }
    }

    void add(std::function<void()> undo) { undo_.push_back(std::move(undo)); }
    void commit() noexcept { committed_ = true; }

private:
    std::vector<std::function<void()>> undo_;
    bool committed_ = false;
};

}  // namespace plugrt
