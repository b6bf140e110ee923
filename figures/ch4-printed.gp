# ch4-printed.gp: the study's Algorithm 2 as printed against the usual
# momentum rule, over the printed rule's few epochs from epoch 0 (the
# untrained network): the validation loss on a logarithmic scale (left) and
# the validation accuracy (right). The line at ln 10 is the loss of a network
# that gives every digit one chance in ten.
#
# Input: dir/PRINTED and dir/USUAL (lib/train.h's columns).
# Variables: printed and usual (the two rules' metrics files, default
#            'metrics-printed.tsv' and 'metrics-momentum.tsv'),
#            epochs (the last epoch drawn), title.
w_px = 900; h_px = 330
load figures.'/common.gp'
if (!exists('printed')) printed = 'metrics-printed.tsv'
if (!exists('usual')) usual = 'metrics-momentum.tsv'
if (!exists('title')) title = ''
if (!exists('epochs')) epochs = 5
set datafile separator tab
set style line 1 lc rgb '#b22222' lw 2 pt 7 ps 0.6    # printed
set style line 2 lc rgb '#1f5fa8' lw 2 pt 5 ps 0.6    # usual
set style line 3 lc rgb '#666666' lw 1 dt 2
set xrange [0:epochs]
set xtics 1
set xlabel 'epoch'
set grid lc rgb '#dddddd'
set multiplot layout 1, 2 title title
set ylabel 'validation cross-entropy per example'
set logscale y
set format y '%g'
set key at graph 0.98, graph 0.62 right
plot dir.'/'.printed every ::1 using 1:3 with linespoints ls 1 title 'as printed', \
     dir.'/'.usual every ::1 using 1:3 with linespoints ls 2 title 'the usual rule', \
     log(10) with lines ls 3 title 'ln 10: a guess'
unset logscale y
set ylabel 'validation accuracy (%)'
set yrange [0:100]
set key bottom right
plot dir.'/'.printed every ::1 using 1:5 with linespoints ls 1 title 'as printed', \
     dir.'/'.usual every ::1 using 1:5 with linespoints ls 2 title 'the usual rule', \
     10 with lines ls 3 title 'one in ten'
unset multiplot
