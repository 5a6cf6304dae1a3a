// TEMPORARY (issue 6 replaces this file): the backends library needs one source.
