#ifndef NSC_CLASSIFY_H
#define NSC_CLASSIFY_H
#endif
