# ch7-confusion.gp: the confusion matrix of the test set (chapter 7): one row
# per true digit, one column per answer of the network, each cell the number
# of test images. The right answers, on the diagonal, are grey; the mistakes
# are shaded from white to dark red by their count, the largest darkest.
# Empty cells are mistakes that never happened.
# Input: dir/confusion.tsv, one line per cell: true  predicted  count,
# a header line first. Variable (optional): title.
w_px = 560; h_px = 540
load figures.'/common.gp'
if (!exists('title')) title = ''
file = dir.'/confusion.tsv'
stats file every ::1 using ($1 != $2 ? $3 : 0) nooutput
worst = STATS_max > 0 ? STATS_max : 1
# white to #8e1b10 as a mistake's count goes from 0 to the largest; the
# square root keeps the small counts visible
shade(n) = sqrt(n / worst)
mix(a, b, t) = int(a + (b - a) * t + 0.5)
red(n) = mix(255, 142, shade(n)) * 65536 + mix(255, 27, shade(n)) * 256 + mix(255, 16, shade(n))
cell(t, p, n) = t == p ? 0xd9d9d9 : red(n)
ink(t, p, n) = t != p && shade(n) > 0.6 ? 0xffffff : 0x000000
set title title
set size ratio -1
unset key
set xrange [-0.5:9.5]
set yrange [9.5:-0.5]
set xtics 0, 1, 9 scale 0 nomirror
set ytics 0, 1, 9 scale 0 nomirror
set xlabel "the network's answer" font ',11'
set ylabel 'the true digit' font ',11'
set border 15 lc rgb '#999999'
set tics textcolor rgb '#000000' font ',11'
plot file every ::1 using 2:1:(0.5):(0.5):(cell($1, $2, $3)) \
         with boxxyerror fill solid 1.0 noborder lc rgb variable, \
     '' every ::1 using 2:1:($3 > 0 ? sprintf('%d', $3) : ''):(ink($1, $2, $3)) \
         with labels tc rgb variable font ',10'
