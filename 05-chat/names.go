package chat

// What makes a name acceptable, and when two names are the same
// (README: bad input, task 8).

// TODO(task 8): a name that could pass for another's is refused, and names
// that look alike are the same name. TestTask8_… (look up precis.Nickname).
