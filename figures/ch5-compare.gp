# ch5-compare.gp: chapter 5's runs side by side, epoch by epoch: the
# validation loss (left) and the validation accuracy (right), each the mean
# over the seeds.
# Input: dir/compare.tsv, one header line (the runs' names), then one row per
# epoch from 0: epoch, then for each run its mean validation loss and mean
# validation accuracy (%), tab-separated.
# Variables: n (how many runs), seeds (how many seeds each).
# With term 'dumb' only the accuracy is drawn.
w_px = 900; h_px = 360
load figures.'/common.gp'
if (!exists('n')) n = 1
if (!exists('seeds')) seeds = 1
file = dir.'/compare.tsv'
set datafile separator tab
array colour[8] = ['#1f5fa8', '#7fb2e5', '#d9730d', '#f2b27a', '#333333', '#2a9d3f', '#9b3fb5', '#b5a33f']
array dash[8] = [1, 2, 1, 2, 1, 1, 1, 1]
set xlabel 'epoch'
set grid lc rgb '#dddddd'
set xrange [1:*]
set xtics 1
avg = seeds > 1 ? sprintf(', mean of %d seeds', seeds) : ''
if (term eq 'dumb') {
    set ylabel 'validation accuracy (%)'
    set key bottom right
    plot for [i=1:n] file every ::1 using 1:(column(2*i+1)) with lines title columnhead(2*i+1)
} else {
    set multiplot layout 1, 2 title 'Validation curves of the runs'.avg
    set ylabel 'validation cross-entropy per example'
    set key top right
    plot for [i=1:n] file every ::1 using 1:(column(2*i)) with linespoints \
         lw 2 pt 7 ps 0.5 lc rgb colour[(i-1)%8+1] dt dash[(i-1)%8+1] title columnhead(2*i)
    set ylabel 'validation accuracy (%)'
    set key bottom right
    plot for [i=1:n] file every ::1 using 1:(column(2*i+1)) with linespoints \
         lw 2 pt 7 ps 0.5 lc rgb colour[(i-1)%8+1] dt dash[(i-1)%8+1] title columnhead(2*i+1)
    unset multiplot
}
