# curves.gp: a training run epoch by epoch, the loss on the left and the
# accuracy on the right, training and validation, the kept epoch marked. Every
# chapter that trains draws its runs with it (lib/plot.h: plot_render_with).
#
# Input: dir/TSV, one header line, then one row per epoch with the columns
#   epoch  train_loss  val_loss  train_acc  val_acc  [more, ignored]
# (the accuracies in %), tab-separated, as lib/metrics.h writes them.
# Variables, all optional:
#   tsv    the file's name in dir                      (default 'metrics.tsv')
#   best   the epoch to mark: the weights kept          (default: the epoch of
#          the lowest validation loss)
#   title  a line over both panels                     (default: none)
#   from   the first epoch drawn                        (default: 0)
# With term 'dumb' (a text plot in the terminal) only the loss is drawn.
w_px = 900; h_px = 330
load figures.'/common.gp'
if (!exists('tsv')) tsv = 'metrics.tsv'
if (!exists('title')) title = ''
if (!exists('from')) from = 0
file = dir.'/'.tsv
set datafile separator tab
stats file every ::1 using 1:3 nooutput
if (!exists('best')) best = STATS_pos_min_y
last = STATS_max_x

set style line 1 lc rgb '#1f5fa8' lw 2             # training
set style line 2 lc rgb '#d9730d' lw 2             # validation
set style line 3 lc rgb '#666666' lw 1 dt 2        # the kept epoch
set xrange [from:last > from ? last : from + 1]
set xlabel 'epoch'
set grid lc rgb '#dddddd'
set key top right
set arrow 1 from best, graph 0 to best, graph 1 nohead ls 3
set label 1 sprintf('kept: epoch %d', best) at best, graph 0.5 offset 0.5, 0 left tc rgb '#666666'

if (term eq 'dumb') {
    unset arrow 1; unset label 1; unset grid
    set ylabel 'loss'
    plot file every ::1 using 1:2 with lines title 'training', \
         '' every ::1 using 1:3 with lines title 'validation'
} else {
    set multiplot layout 1, 2 title title
    set ylabel 'cross-entropy per example'
    plot file every ::1 using 1:2 with lines ls 1 title 'training', \
         '' every ::1 using 1:3 with lines ls 2 title 'validation'
    set ylabel 'accuracy (%)'
    set key bottom right
    plot file every ::1 using 1:4 with lines ls 1 title 'training', \
         '' every ::1 using 1:5 with lines ls 2 title 'validation'
    unset multiplot
}
