-- nethost.csv: one CSV field as RFC 4180 writes it, for every CSV nethost writes (the
-- results file of -o x.csv, report.csv, report.write). nil is the empty field; a field with
-- a comma, a quote, CR or LF is quoted, its quotes doubled.
local csv = {}

function csv.field(v)
  v = v == nil and "" or tostring(v)
  if v:find('[,"\r\n]') then v = '"' .. v:gsub('"', '""') .. '"' end
  return v
end

return csv
