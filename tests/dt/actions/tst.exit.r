begin
same clause still runs
end

