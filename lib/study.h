// study.h: what the study reports, experiment by experiment.
//
// B. Szeto and N. Thomas, "An Exploration of Basic Methods for Handwritten
// Digit Classification" (UC San Diego). Every number of the study that a
// program sets beside its own run lives in study.c, once, with the section it
// comes from; the chapters and `make paper` read it from there.
#ifndef WB_STUDY_H
#define WB_STUDY_H

typedef struct {
    const char *name;     // the experiment, as file stem and key: "momentum-early-stop"
    const char *config;   // the workbook's config of the study's settings
    const char *section;  // where the study reports it: "4.2.4"
    const char *what;     // for tables: "momentum and early stopping"
    double acc;           // the study's test accuracy in percent; NAN where it gives none
    int stop_epoch;       // the epoch its training stopped at (the epochs it trained,
                          // when it ran them all); 0 where it gives none
} StudyExperiment;

// The study's experiments in the order it reports them.
extern const StudyExperiment STUDY_EXPERIMENTS[];
extern const int STUDY_N_EXPERIMENTS;

// The experiment of that name, or NULL.
const StudyExperiment *study_find(const char *name);

// The study's gradient check (section 3.2, Table 1): six weights of its
// untrained network, each one's gradient by backpropagation and by central
// differences with epsilon STUDY_EPSILON, and the absolute difference of the
// two, as it printed them. Rows: two input-to-hidden weights, a hidden bias,
// two hidden-to-output weights, the output bias (the true class's: its
// gradient is y - 1).
typedef struct {
    const char *weight;    // the study's subscript: "ij", "bj", "jk" or "bk"
    const char *between;   // "input to hidden"
    double backprop, numerical, diff;
} StudyGradient;

enum { STUDY_TABLE1_ROWS = 6, STUDY_TABLE1_OUTPUT_BIAS = 5 };
extern const StudyGradient STUDY_TABLE1[STUDY_TABLE1_ROWS];
extern const double STUDY_EPSILON;

#endif
