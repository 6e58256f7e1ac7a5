package chat

// One member of the room: what its stream needs (README: the design
// decision).

// TODO(task 7): a member's Says beyond their own Config.Rate and Burst wait,
// on Config.Clock, and are never refused or dropped. TestTask7_….
