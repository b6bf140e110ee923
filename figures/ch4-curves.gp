# ch4-curves.gp: one training run of chapter 4, epoch by epoch from epoch 1:
# the loss on a logarithmic scale (left), so that a training loss falling
# towards 0 and a validation loss turning upwards both show, and the
# accuracy (right), training and validation, with up to two epochs marked
# by vertical lines named in the key.
#
# Input: dir/TSV with the columns of lib/train.h (epoch train_loss val_loss
# train_acc val_acc train_s), one header line, accuracies in %.
# Variables:
#   tsv     the file's name in dir                         (default 'metrics.tsv')
#   title   a line over both panels                        (default: none)
#   mark1, label1   an epoch and its name in the key, drawn dashed grey
#   mark2, label2   another, drawn dotted red              (0 or unset: none)
w_px = 900; h_px = 340
load figures.'/common.gp'
if (!exists('tsv')) tsv = 'metrics.tsv'
if (!exists('title')) title = ''
if (!exists('mark1')) mark1 = 0
if (!exists('mark2')) mark2 = 0
if (!exists('label1')) label1 = ''
if (!exists('label2')) label2 = ''
file = dir.'/'.tsv
set datafile separator tab
stats file every ::2 using 1 nooutput
last = STATS_max

set style line 1 lc rgb '#1f5fa8' lw 2             # training
set style line 2 lc rgb '#d9730d' lw 2             # validation
set style line 3 lc rgb '#666666' lw 1.5 dt 2      # mark 1
set style line 4 lc rgb '#b22222' lw 1.5 dt 3      # mark 2
right = (mark1 >= last || mark2 >= last) ? last + 1 : last
set xrange [1:right > 1 ? right : 2]
set xlabel 'epoch'
set grid lc rgb '#dddddd'
if (mark1 > 0) { set arrow 1 from mark1, graph 0 to mark1, graph 1 nohead ls 3 }
if (mark2 > 0) { set arrow 2 from mark2, graph 0 to mark2, graph 1 nohead ls 4 }
# The marks appear in the key through empty plots with their line styles.
k1 = mark1 > 0 ? label1 : ''
k2 = mark2 > 0 ? label2 : ''

set multiplot layout 1, 2 title title
set ylabel 'cross-entropy per example'
set logscale y
set format y '%g'
set key top right
plot file every ::2 using 1:2 with lines ls 1 title 'training', \
     '' every ::2 using 1:3 with lines ls 2 title 'validation', \
     NaN with lines ls 3 title k1, NaN with lines ls 4 title k2
unset logscale y
set ylabel 'accuracy (%)'
set key bottom right
plot file every ::2 using 1:4 with lines ls 1 title 'training', \
     '' every ::2 using 1:5 with lines ls 2 title 'validation', \
     NaN with lines ls 3 title k1, NaN with lines ls 4 title k2
unset multiplot
