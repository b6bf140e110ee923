# ch5-seeds.gp: the test accuracy of every run of chapter 5 with every seed,
# one column of points per experiment, its mean as a bar: how far apart the
# experiments are, against how far apart the seeds are.
# Input: dir/seeds.tsv, two blocks separated by two blank lines:
#   block 0: x (the experiment's index, spread a little per seed), test
#            accuracy (%), seed
#   block 1: the experiment's index, its mean test accuracy, its name
# Variables: n (how many experiments), seeds. No key: the caption says that
# a point is one seed and a bar the mean.
w_px = 720; h_px = 360
load figures.'/common.gp'
if (!exists('n')) n = 1
if (!exists('seeds')) seeds = 1
file = dir.'/seeds.tsv'
set datafile separator tab
set xrange [-0.6:n-0.4]
set ylabel 'test accuracy (%)'
set grid ytics lc rgb '#dddddd'
unset key
set title sprintf('Test accuracy after the last epoch, %d seed%s per run', seeds, seeds > 1 ? 's' : '')
plot file index 0 using 1:2 with points pt 7 ps 0.8 lc rgb '#1f5fa8' title 'one seed', \
     file index 1 using ($1-0.35):2:(0.7):(0):xtic(3) with vectors nohead lw 2 \
          lc rgb '#d9730d' title 'the mean'
