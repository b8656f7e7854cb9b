/* log.h - leveled log messages routed to a sink that cli/ chooses. */
#ifndef PATROL_LOG_H
#define PATROL_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

typedef void (*log_sink_fn)(enum log_level level, const char *msg, void *ud);

/*
 * Sets where messages go and the most verbose level kept. The default sink
 * writes "patrol: level: msg" to stderr at LOG_WARN. Call before threads start.
 */
void log_set_sink(log_sink_fn fn, void *ud);
void log_set_level(enum log_level level);

/* Emits one message. Thread-safe: the sink is called under a lock. */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
