// study.c: the study's reported numbers (see study.h). Its sections 2.2 and 5.1
// show only figures, so those experiments have no accuracy here.
#include "study.h"

#include <math.h>
#include <string.h>

const StudyExperiment STUDY_EXPERIMENTS[] = {
    {"softmax", "chapters/02-softmax/softmax.yaml", "2.2", "softmax regression", NAN, 100},
    {"plain", "chapters/04-momentum/plain.yaml", "4.2.1", "plain SGD", 97.68, 100},
    {"momentum", "chapters/04-momentum/momentum.yaml", "4.2.2", "momentum", 96.88, 100},
    {"early-stop", "chapters/04-momentum/early-stop.yaml", "4.2.3", "early stopping", 97.77, 26},
    {"momentum-early-stop", "chapters/04-momentum/momentum-early-stop.yaml", "4.2.4",
     "momentum and early stopping", 96.62, 7},
    {"l1-1e-2", "chapters/05-regularization/l1-1e-2.yaml", "5.1", "L1, λ = 0.01", NAN, 8},
    {"l1-1e-4", "chapters/05-regularization/l1-1e-4.yaml", "5.1", "L1, λ = 0.0001", NAN, 8},
    {"l2-1e-2", "chapters/05-regularization/l2-1e-2.yaml", "5.1", "L2, λ = 0.01", NAN, 8},
    {"l2-1e-4", "chapters/05-regularization/l2-1e-4.yaml", "5.1", "L2, λ = 0.0001", NAN, 8},
    {"tanh", "chapters/06-activations/tanh.yaml", "6.2.1", "tanh", 97.15, 10},
    {"sigmoid", "chapters/06-activations/sigmoid.yaml", "6.2.2", "sigmoid", 97.66, 19},
    {"relu", "chapters/06-activations/relu.yaml", "6.2.3", "ReLU", 95.61, 5},
    {"relu-small-rate", "chapters/06-activations/relu-small-rate.yaml", "6.2.3",
     "ReLU, rate 0.0001", 97.56, 16},
};
const int STUDY_N_EXPERIMENTS = (int)(sizeof STUDY_EXPERIMENTS / sizeof STUDY_EXPERIMENTS[0]);

const StudyGradient STUDY_TABLE1[STUDY_TABLE1_ROWS] = {
    {"ij", "input to hidden", -1.2282e-3, -1.2282e-3, 6.6801e-9},
    {"ij", "input to hidden", -1.5063e-3, -1.5062e-3, 8.3850e-9},
    {"bj", "bias to hidden", 3.0450e-3, 3.0449e-3, 9.6145e-8},
    {"jk", "hidden to output", 1.7730e-2, 1.7730e-2, 6.8067e-9},
    {"jk", "hidden to output", 1.5636e-2, 1.5636e-2, 4.6279e-9},
    {"bk", "bias to output", -8.9961e-1, -8.9961e-1, 1.2030e-6},
};
const double STUDY_EPSILON = 1e-2;

const StudyExperiment *study_find(const char *name) {
    for (int i = 0; i < STUDY_N_EXPERIMENTS; i++)
        if (strcmp(STUDY_EXPERIMENTS[i].name, name) == 0) return &STUDY_EXPERIMENTS[i];
    return NULL;
}
