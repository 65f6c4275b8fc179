/* apple-vocabulary.h: the SBPL operation and filter names Apple's own shipped profiles use (tests
 * only). */
#ifndef APPLE_VOCABULARY_H
#define APPLE_VOCABULARY_H

/* 1 when |name| is an operation (allow/deny target) Apple's shipped profiles use. */
int apple_vocabulary_operation(const char *name);
/* 1 when |name| is a filter or modifier head Apple's shipped profiles use. */
int apple_vocabulary_filter(const char *name);

#endif
