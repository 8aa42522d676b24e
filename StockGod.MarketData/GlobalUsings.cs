global using StockGod.Trading.Calendar;
global using StockGod.Trading.Market;
