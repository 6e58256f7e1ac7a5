package chat

// What makes a name acceptable, and when two names are the same
// (README: bad input, task 8).

// TODO(task 4): a blank name, one over 32 characters or with a control
// character is refused with codes.InvalidArgument. TestTask4_BadInput.

// TODO(task 8): a name that could pass for another's is refused, and names
// that look alike are the same name. TestTask8_… (look up precis.Nickname).
