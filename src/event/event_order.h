// The order and identity of events (SPEC 2.1, 2.2) beyond the sort key:
// a total order for copies that differ, and the deduplication every reader
// applies (the sessionizer, `export events`).
//
// Thread safety: pure functions.
#pragma once

#include <vector>

#include "event/event.h"

namespace ws {

// SPEC 2.2 order, then every other field, so that copies that differ sort
// deterministically and "the copy that sorts first" is well defined.
int CompareEventFull(const Event& a, const Event& b);

// Sorts `events` by CompareEventFull and removes duplicates under SPEC 2.1,
// keeping the copy that sorts first. Requires: all events share one session.
void SortAndDeduplicate(std::vector<Event>* events);

}  // namespace ws
