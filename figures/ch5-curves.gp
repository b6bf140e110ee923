# ch5-curves.gp: one training run of chapter 5, epoch by epoch from epoch 1:
# the loss on the left and the accuracy on the right, training and validation.
# The runs have no early stopping and keep their last epoch's weights, so
# instead of a kept epoch this marks the epoch of the lowest validation loss
# and the epoch at which early stopping with patience E would have stopped
# (the study's measure of convergence, section 5.2), if it would have.
#
# Input: dir/TSV, as lib/metrics.h writes it (one header line, then
#   epoch  train_loss  val_loss  train_acc  val_acc  [more, ignored]).
# Variables: tsv (the file's name in dir), title, low (the epoch of the
# lowest validation loss), stop (0: patience never reached), patience.
w_px = 900; h_px = 330
load figures.'/common.gp'
if (!exists('tsv')) tsv = 'metrics.tsv'
if (!exists('title')) title = ''
if (!exists('low')) low = 0
if (!exists('stop')) stop = 0
if (!exists('patience')) patience = 3
file = dir.'/'.tsv
set datafile separator tab
stats file every ::1 using 1 nooutput
last = STATS_max

set style line 1 lc rgb '#1f5fa8' lw 2 pt 7 ps 0.5   # training
set style line 2 lc rgb '#d9730d' lw 2 pt 7 ps 0.5   # validation
set xrange [1:last > 1 ? last : 2]
set xtics 1
set xlabel 'epoch'
set grid lc rgb '#dddddd'
# the marks' labels sit just above each panel, over their lines (to the
# left of a line on the last epoch, so that they stay inside the figure)
if (low > 0) {
    set arrow 1 from low, graph 0 to low, graph 1 nohead lc rgb '#666666' dt 2
    set label 1 'lowest validation loss' at low, graph 1.0 offset 0, 0.6 \
        tc rgb '#666666' font ',8'
    if (low >= last) { set label 1 right } else { set label 1 center }
}
if (stop > 0) {
    set arrow 2 from stop, graph 0 to stop, graph 1 nohead lc rgb '#b00020' dt 3 lw 1.5
    set label 2 sprintf('E = %d would stop', patience) at stop, graph 1.0 \
        offset 0, (stop == low ? 1.5 : 0.6) tc rgb '#b00020' font ',8'
    if (stop >= last) { set label 2 right } else { set label 2 center }
}
set tmargin 3
set multiplot layout 1, 2 title title
set ylabel 'cross-entropy per example'
set key top right
plot file every ::1 using 1:2 with linespoints ls 1 title 'training', \
     '' every ::1 using 1:3 with linespoints ls 2 title 'validation'
set ylabel 'accuracy (%)'
set key bottom right
plot file every ::1 using 1:4 with linespoints ls 1 title 'training', \
     '' every ::1 using 1:5 with linespoints ls 2 title 'validation'
unset multiplot
