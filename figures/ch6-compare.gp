# ch6-compare.gp: several training runs on one pair of axes: the validation
# loss (left) and the validation accuracy (right), epoch by epoch
# from epoch 1; each line ends at the epoch where early stopping ended the run.
# Chapter 6 draws its four activations with it.
#
# Input: dir/FILE for each FILE of `files`, in the columns of lib/metrics.h
#   epoch  train_loss  val_loss  train_acc  val_acc  [more, ignored]
# Variables:
#   files   the runs' TSVs in dir, separated by spaces
#   titles  one title per file, each in double quotes: '"tanh" "ReLU, 0.0001"'
# With term 'dumb' only the loss is drawn.
w_px = 900; h_px = 330
load figures.'/common.gp'
set datafile separator tab
n = words(files)
array colour[6] = ['#1f5fa8', '#d9730d', '#2e8b3a', '#b0306b', '#6a4fa3', '#666666']
set xlabel 'epoch'
set xrange [1:*]
set grid lc rgb '#dddddd'
set yrange [0:*]
if (term eq 'dumb') {
    set ylabel 'validation loss'
    plot for [i=1:n] dir.'/'.word(files, i) every ::2 using 1:3 with lines title word(titles, i)
} else {
    set multiplot layout 1, 2
    set ylabel 'validation cross-entropy per example'
    set key top right
    plot for [i=1:n] dir.'/'.word(files, i) every ::2 using 1:3 with lines lw 2 \
             lc rgb colour[(i - 1) % 6 + 1] title word(titles, i)
    set autoscale y
    set ylabel 'validation accuracy (%)'
    set key bottom right
    plot for [i=1:n] dir.'/'.word(files, i) every ::2 using 1:5 with lines lw 2 \
             lc rgb colour[(i - 1) % 6 + 1] title word(titles, i)
    unset multiplot
}
