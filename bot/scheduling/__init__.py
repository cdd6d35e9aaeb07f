"""When things happen: the calendar, the scheduler behind its lease, the jobs, and keeping
each schedule row's job in step with it (`sync`)."""
