// yours.c: chapter 7's checks of your functions (program.h).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ch2.h"
#include "ch7.h"
#include "program.h"

// top_k's answer, before the program uses it: k distinct indices below n.
void check_indices(const Program *p, const int *idx, int k, int n) {
    unsigned char *seen = calloc((size_t)n, 1);
    if (!seen) chapter_wrong(&p->ch, "out of memory");
    for (int j = 0; j < k; j++) {
        if (idx[j] < 0 || idx[j] >= n)
            chapter_wrong(&p->ch, "top_k with n = %d and k = %d gave idx[%d] = %d, which is no "
                                  "index of x", n, k, j, idx[j]);
        if (seen[idx[j]]++)
            chapter_wrong(&p->ch, "top_k with n = %d and k = %d gave index %d twice (idx[%d])", n,
                          k, idx[j], j);
    }
    free(seen);
}

// Step 3: your functions on small cases.
void small_cases(Program *p) {
    Chapter *ch = &p->ch;
    // per_example_loss: three rows whose losses are ln 2, ln 4 and -ln(1e-15)
    // (a probability 0 is clipped), and their mean is cross_entropy()'s.
    const double y[9] = {0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0.0, 0.0, 1.0};
    const double t[9] = {1, 0, 0, 1, 0, 0, 0, 1, 0};
    const uint8_t labels[3] = {0, 0, 1};
    double loss[3];
    per_example_loss(loss, y, t, 3, 3);
    const double want[3] = {log(2.0), log(4.0), -log(1e-15)};
    for (int i = 0; i < 3; i++)
        if (!(fabs(loss[i] - want[i]) <= 1e-12 * want[i]))
            chapter_wrong(ch, "per_example_loss of the rows {0.5, 0.25, 0.25}, {0.25, 0.5, 0.25} "
                              "and {0, 0, 1} with the labels 0, 0, 1: row %d should lose %.6f, "
                              "got %.6f", i, want[i], loss[i]);
    // top_k: ties go to the lower index.
    const double x[8] = {0.3, 2.0, -1, 2.0, 0.7, 5.5, 0.7, 0.7};
    const int want_idx[5] = {5, 1, 3, 4, 6};
    int idx[5];
    top_k(idx, x, 8, 5);
    for (int j = 0; j < 5; j++)
        if (idx[j] != want_idx[j])
            chapter_wrong(ch, "top_k of {0.3, 2, -1, 2, 0.7, 5.5, 0.7, 0.7} with k = 5 should "
                              "give {5, 1, 3, 4, 6}, but idx[%d] = %d", j, idx[j]);
    // confusion_matrix: the same three rows.
    int counts[9];
    confusion_matrix(counts, y, labels, 3, 3);
    const int want_counts[9] = {1, 1, 0, 0, 0, 1, 0, 0, 0};
    for (int c = 0; c < 9; c++)
        if (counts[c] != want_counts[c])
            chapter_wrong(ch, "confusion_matrix of the rows {0.5, 0.25, 0.25}, {0.25, 0.5, 0.25} "
                              "and {0, 0, 1} with the labels 0, 0, 1: label %d answered %d should "
                              "count %d, got %d", c / 3, c % 3, want_counts[c], counts[c]);
    // Chapter 2's cross_entropy() is the mean of the same losses.
    double mean = (loss[0] + loss[1] + loss[2]) / 3, ce = cross_entropy(y, t, 3, 3);
    if (!(fabs(mean - ce) <= 1e-12 * ce))
        chapter_wrong(ch, "the mean of per_example_loss's three losses is %.10g, but "
                          "cross_entropy() of the same rows is %.10g: they must agree (run `make "
                          "check-ch2` too)", mean, ce);
    printf("      per_example_loss: ln 2 = %.4f, ln 4 = %.4f and -ln(1e-15) = %.2f, their mean "
           "your cross_entropy()'s;\n      top_k: the 5 largest of {0.3, 2, -1, 2, 0.7, 5.5, "
           "0.7, 0.7} are at {5, 1, 3, 4, 6}; confusion_matrix: as counted by hand\n", loss[0],
           loss[1], loss[2]);
}

// Your answers against the training loop's: the losses' mean is its test
// loss, the confusion matrix's diagonal its right answers, every image
// counted once, the order really an order.
void check_analysis(Program *p, const TrainResult *res) {
    Analysis *a = &p->a;
    const Chapter *ch = &p->ch;
    int n = a->n, right = 0, all = 0;
    double total = 0;
    check_indices(p, a->hardest, HARDEST, n);
    check_indices(p, a->order, n, n);
    for (int i = 0; i < n; i++) total += a->loss[i];
    if (!(fabs(total / n - res->test_loss) <= 1e-9 * fmax(1.0, res->test_loss)))
        chapter_wrong(ch, "the mean of per_example_loss over the %d test images is %.10g, but the "
                          "training loop's test loss (cross_entropy) is %.10g", n, total / n,
                      res->test_loss);
    for (int t = 0; t < C; t++)
        for (int q = 0; q < C; q++)
            all += a->counts[t * C + q], right += t == q ? a->counts[t * C + q] : 0;
    if (all != n)
        chapter_wrong(ch, "confusion_matrix counted %d images in all, but the test set has %d",
                      all, n);
    // (one image of slack: the loop may have summed in another order, and a
    // near tie gone the other way)
    if (fabs(right - res->test_acc * n / 100.0) > 1.0 + 1e-6)
        chapter_wrong(ch, "confusion_matrix's diagonal holds %d right answers (%.2f%%), but the "
                          "training loop measured %.2f%% (count_correct)", right,
                      100.0 * right / n, res->test_acc);
    for (int j = 1; j < n; j++)
        if (a->loss[a->order[j]] > a->loss[a->order[j - 1]])
            chapter_wrong(ch, "top_k over all %d test losses is out of order at place %d: %.6g "
                              "after %.6g", n, j, a->loss[a->order[j]], a->loss[a->order[j - 1]]);
    for (int j = 0; j < HARDEST && j < n; j++)
        if (a->hardest[j] != a->order[j])
            chapter_wrong(ch, "top_k with k = %d and with k = %d disagree at place %d: %d and %d",
                          HARDEST, n, j, a->hardest[j], a->order[j]);
    a->errors = n - right;
}
