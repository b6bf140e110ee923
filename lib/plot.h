// plot.h: running the gnuplot scripts in figures/.
//
// A script figures/NAME.gp draws from the files of one run. It is called with
// two variables set, `dir` (the run's folder) and `term` (svg, pdf or dumb),
// and loads figures/common.gp, which picks the terminal and writes
// dir/NAME.svg or dir/NAME.pdf (through a .part name, renamed here when
// gnuplot succeeds), or prints a text plot for `dumb`.
#ifndef WB_PLOT_H
#define WB_PLOT_H

#include "error.h"

// Renders dir/NAME.svg and dir/NAME.pdf.
int plot_render(const char *figures_dir, const char *name, const char *dir, Error *err);

// Prints the same figure as text on stdout (gnuplot's dumb terminal).
int plot_text(const char *figures_dir, const char *name, const char *dir, Error *err);

// The same two with a script that draws several figures: figures/SCRIPT.gp
// renders dir/NAME.svg and .pdf (or prints NAME as text), and extra_vars (or
// NULL) is more gnuplot assignments set before the script runs, e.g.
// "tsv='metrics.tsv'; best=12". A generic script such as curves.gp takes its
// input file and titles from them.
int plot_render_with(const char *figures_dir, const char *script, const char *name,
                     const char *dir, const char *extra_vars, Error *err);
int plot_text_with(const char *figures_dir, const char *script, const char *name,
                   const char *dir, const char *extra_vars, Error *err);

// Writes n images of rows x cols doubles as one matrix file for gnuplot's
// `matrix with image`, grid_cols images to a row, a blank pixel between them,
// and beside it NAME_labels.tsv with "x y text" for each image's caption (a
// line break in a caption breaks its line in the figure).
//   images: in [n, rows*cols];  captions: n strings (or NULL)
int plot_write_grid(const char *path, const char *labels_path, const double *images, int n,
                    int rows, int cols, int grid_cols, const char *const *captions, Error *err);

#endif
