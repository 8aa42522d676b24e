// The resource graph is built in the foundation issue; this placeholder keeps the project buildable.
Console.WriteLine("StockGod.AppHost");
