package scaleout

// What one replica holds of the room, and how each event of the stream
// reaches each of its members: the design decision of the step (README).

// TODO(task 1): what the replica holds of the room, and each event reaching
// every member of this replica in the stream's order, waiting for none.

// TODO(task 6): a member more than Config.LogSize events behind is cut
// (ResourceExhausted). TestTask6_ASlowMemberIsCutAndNobodyWaits.
