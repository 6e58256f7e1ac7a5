package chat

// The room: the state every stream shares. What it holds, and how the
// events reach each member, is the design decision of the step (README).

// TODO(task 1): the room every stream shares — its members, and each event
// reaching every member in one order, without waiting for any. TestTask1_….

// TODO(task 3): a member never waits for another; one with more than
// Config.LogSize events waiting is cut (ResourceExhausted). TestTask3_….

// TODO(task 6): a new member's History holds the last 50 messages.
// TestTask6_NewMemberGetsTheLast50Messages.

// TODO(task 9): a join when the room holds Config.MaxMembers is refused with
// codes.ResourceExhausted. TestTask9_TheRoomHasACap.
